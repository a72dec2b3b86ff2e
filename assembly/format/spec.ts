// The .edgeq container constants, shared verbatim by the AssemblyScript reader and the
// TypeScript writer: only plain enums live here so both compilers accept this file.
// docs/format.md is the prose version of this file; change both together.

export enum Format {
  Magic = 0x51474445, // "EDGQ" read as little-endian u32
  Version = 1,
  HeaderSize = 64,
  TensorRecordSize = 64,
  OpRecordSize = 64,
  Align = 16,
  MaxRank = 4,
  MaxOpInputs = 6,
  MaxOpOutputs = 3,
  MaxAttrs = 10,
  NoTensor = 0xffff,
  MaxTensors = 0xfffe,
  MaxOps = 65535,
  MaxDim = 1 << 24,
  MaxElements = 1 << 28,
}

export enum Header {
  Magic = 0,
  Version = 4,
  Flags = 6,
  FileLen = 8,
  Crc = 12, // CRC-32 (IEEE) of bytes [16, FileLen)
  NumTensors = 16,
  NumOps = 20,
  NumInputs = 24,
  NumOutputs = 28,
  TensorsOff = 32,
  OpsOff = 36,
  IoOff = 40, // NumInputs then NumOutputs u32 tensor ids
}

export enum TensorField {
  DType = 0, // u8
  Encoding = 1, // u8
  Kind = 2, // u8
  Rank = 3, // u8
  Dims = 4, // u32[4]
  NameOff = 20,
  NameLen = 24,
  DataOff = 28,
  DataLen = 32,
  ScaleOff = 36, // f32[ScaleCount]
  ScaleCount = 40, // 0: unscaled integers, 1: per tensor, dims[0]: per output channel
  ZeroPoint = 44, // i32, per tensor
  AuxOff = 48,
  AuxLen = 52,
  Bits = 56, // u8, codebook index width
}

export enum DType {
  F32 = 1,
  I8 = 2,
  I32 = 3,
}

export enum Encoding {
  Dense = 0,
  Csr = 1, // unstructured sparse: aux = rowPtr u32[N+1], colIdx u16[nnz]; data = i8[nnz]
  Nm24 = 2, // 2:4 sparse: data = i8[N][K/2]; aux = u8[N][ceil(K/8)], a nibble (i0 | i1<<2) per group
  Codebook = 3, // data = packed indices (LSB first, rows byte aligned); aux = centroids of DType
}

export enum Kind {
  Const = 0,
  Act = 1,
}

export enum OpField {
  Code = 0, // u16
  NumIn = 2, // u8
  NumOut = 3, // u8
  In = 4, // u16[6]
  Out = 16, // u16[3]
  Attrs = 24, // i32[10]
}

export enum Op {
  Dense = 1, // in: x, W[N,K], bias?; attrs: [0] activation
  Conv2d = 2, // in: x[H,W,C], W[Cout,KH,KW,Cin/g], bias?; attrs: act, sh, sw, pt, pl, pb, pr, dh, dw, groups
  MaxPool = 3, // attrs: kh, kw, sh, sw, pt, pl, pb, pr
  AvgPool = 4, // attrs: kh, kw, sh, sw, pt, pl, pb, pr, countIncludePad
  GlobalAvgPool = 5,
  Relu = 6,
  Clip = 7, // attrs: min, max as f32 bits
  Sigmoid = 8,
  Tanh = 9,
  HardSigmoid = 10, // attrs: alpha, beta as f32 bits
  HardSwish = 11,
  Add = 12,
  Concat = 13, // attrs: [0] per-sample axis
  Reshape = 14, // output shape from the output tensor
  Softmax = 15, // over the last axis
  Quantize = 16, // f32 -> i8 with the output's scale and zero point
  Dequantize = 17, // i8 -> f32
  DynamicQuantize = 18, // f32 -> (i8 y, f32 scale[1], i8 zeroPoint[1]), ONNX DynamicQuantizeLinear
  Transpose = 19, // attrs: per-sample permutation
  Mul = 20,
}

export enum Activation {
  None = 0,
  Relu = 1,
  Relu6 = 2,
}

// Stable error codes returned (negated) by the ABI and carried by EdgeqError on the host.
export enum ErrorCode {
  Ok = 0,
  BadMagic = 1,
  BadVersion = 2,
  Truncated = 3,
  Checksum = 4,
  BadHeader = 5,
  BadTensor = 6,
  OutOfRange = 7,
  BadShape = 8,
  UnknownOp = 9,
  BadOp = 10,
  BadGraph = 11,
  Overflow = 12,
  BadEncoding = 13,
  BadQuant = 14,
  OutOfMemory = 15,
  BadHandle = 16,
  BadArgument = 17,
  NotPrepared = 18,
  Internal = 19,
  Aborted = 20,
}
