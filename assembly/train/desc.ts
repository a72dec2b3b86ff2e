// Shape descriptors the host writes into linear memory for the training kernels (docs/abi.md,
// "Training kernels"): i32 fields in this order.

export enum ConvDesc {
  B = 0, H, W, C, OH, OW, Cout, KH, KW, SH, SW, PT, PL, DH, DW, Groups,
  Count,
}

export enum PoolDesc {
  B = 0, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL, CountIncludePad,
  Count,
}

@inline export function cd(d: usize, f: ConvDesc): i32 { return load<i32>(d + (<usize>f << 2)); }
@inline export function pd(d: usize, f: PoolDesc): i32 { return load<i32>(d + (<usize>f << 2)); }
