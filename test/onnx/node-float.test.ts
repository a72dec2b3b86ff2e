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
  ["test_relu"], ["test_sigmoid"], ["test_tanh"],
  ["test_hardsigmoid"], ["test_hardsigmoid_default"], ["test_hardswish"], ["test_hardswish_expanded"],
  ["test_clip"],
  ["test_clip_default_min"], ["test_clip_default_max"],
  ["test_conv_with_strides_padding"], ["test_conv_with_strides_no_padding"], ["test_conv_with_strides_and_asymmetric_padding"], ["test_conv_with_autopad_same"],
  ["test_batchnorm_example"], ["test_batchnorm_epsilon"],
  ["test_maxpool_2d_default"], ["test_maxpool_2d_pads"], ["test_maxpool_2d_strides"], ["test_maxpool_2d_ceil"], ["test_maxpool_2d_same_upper"], ["test_maxpool_2d_same_lower"],
  ["test_maxpool_2d_precomputed_pads"], ["test_maxpool_2d_precomputed_strides"], ["test_maxpool_2d_precomputed_same_upper"],
  ["test_averagepool_2d_default"], ["test_averagepool_2d_pads"], ["test_averagepool_2d_strides"], ["test_averagepool_2d_ceil"], ["test_averagepool_2d_same_upper"], ["test_averagepool_2d_same_lower"],
  ["test_averagepool_2d_pads_count_include_pad"], ["test_averagepool_2d_precomputed_pads"], ["test_averagepool_2d_precomputed_pads_count_include_pad"], ["test_averagepool_2d_precomputed_strides"], ["test_averagepool_2d_precomputed_same_upper"],
  ["test_globalaveragepool"], ["test_globalaveragepool_precomputed"],
  ["test_add_bcast"], ["test_add", { runtime: ["x", "y"] }], ["test_sub_bcast"], ["test_mul_bcast"], ["test_mul", { runtime: ["x", "y"] }],
  ["test_div_bcast"],
  ["test_concat_2d_axis_1", { runtime: ["value0", "value1"] }], ["test_concat_3d_axis_1", { runtime: ["value0", "value1"] }], ["test_concat_3d_axis_2", { runtime: ["value0", "value1"] }],
  ["test_concat_3d_axis_negative_1", { runtime: ["value0", "value1"] }], ["test_concat_3d_axis_negative_2", { runtime: ["value0", "value1"] }],
  ["test_flatten_axis1"], ["test_flatten_default_axis"], ["test_flatten_negative_axis3"],
  ["test_transpose_all_permutations_0"], ["test_transpose_all_permutations_1"],
  ["test_softmax_axis_1"], ["test_softmax_axis_2"], ["test_softmax_default_axis"], ["test_softmax_example"], ["test_softmax_large_number"], ["test_softmax_negative_axis"],
  ["test_identity"], ["test_dropout_default"], ["test_dropout_random_old"],
  ["test_unsqueeze_axis_1"], ["test_unsqueeze_axis_2"],
  ["test_Linear", { dir: "pytorch-converted" }],
  ["test_Linear_no_bias", { dir: "pytorch-converted" }],
  ...["test_Conv2d", "test_Conv2d_depthwise", "test_Conv2d_depthwise_padded", "test_Conv2d_depthwise_strided", "test_Conv2d_depthwise_with_multiplier",
    "test_Conv2d_dilated", "test_Conv2d_groups", "test_Conv2d_groups_thnn", "test_Conv2d_no_bias", "test_Conv2d_padding", "test_Conv2d_strided",
    "test_BatchNorm2d_eval", "test_BatchNorm2d_momentum_eval", "test_MaxPool2d", "test_AvgPool2d", "test_AvgPool2d_stride",
    "test_ReLU", "test_Sigmoid", "test_Tanh", "test_Softmax", "test_softmax_lastdim", "test_softmax_functional_dim3"].map((n): [string, CaseOptions] => [n, { dir: "pytorch-converted" }]),
];

for (const [name, o] of CASES) test(`${name}${o?.runtime ? ` (${o.runtime.join(", ")} at run time)` : ""}`, () => checkOnnxCase(name, o));

test.run();
