// ONNX conformance for the float ops the importer claims, through import -> .edgeq -> artifact:
// f32 within 1e-5 relative of the reference outputs shipped with libonnx-testdata.
import { test } from "uvu";
import { checkOnnxCase, type CaseOptions } from "./import-harness.ts";

const CASES: [string, CaseOptions?][] = [
  ["test_gemm_default_no_bias"],
  ["test_gemm_default_scalar_bias"],
  ["test_gemm_default_single_elem_vector_bias"],
  ["test_gemm_default_vector_bias"],
  ["test_gemm_default_zero_bias"],
  ["test_gemm_alpha"],
  ["test_gemm_beta"],
  ["test_gemm_transposeB"],
  ["test_matmul_2d"],
  ["test_Linear", { dir: "pytorch-converted" }],
  ["test_Linear_no_bias", { dir: "pytorch-converted" }],
];

for (const [name, o] of CASES) test(name, () => checkOnnxCase(name, o));

test.run();
