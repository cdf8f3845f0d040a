// float32 values to float16 or bfloat16, two per word, one word per thread (grid-stride): no two
// threads write halves of one word. Round to nearest, ties to even, on the bits:
// - bfloat16: the upper half of b + 0x7fff + (bit 16 of b); NaN stays a (quiet) NaN.
// - float16: |x| >= 65520 (half an ulp past 65504) is ±Infinity; normal results rebias the
//   exponent (−112·2^23) and round away 13 fraction bits; below 2^-14 the value is a multiple of
//   2^-24: round(|x| · 2^24) (WGSL's round() ties to even; 1024 carries into the smallest normal).
//   NaN gives 0x7e00 with its sign.
//
// Pipeline key: none (one pipeline). Params and the bindings are generated from
// src/kernels/layouts/pack16.ts.

fn to_bf16(b: u32) -> u32 {
  if ((b & 0x7fffffffu) > 0x7f800000u) {
    return (b >> 16u) | 0x40u;
  }
  return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}

fn to_f16(b: u32) -> u32 {
  let sign = (b >> 16u) & 0x8000u;
  let a = b & 0x7fffffffu;
  if (a > 0x7f800000u) {
    return sign | 0x7e00u;
  }
  if (a >= 0x477ff000u) {
    return sign | 0x7c00u;
  }
  if (a >= 0x38800000u) {
    let r = a - 0x38000000u;
    return sign | ((r + 0xfffu + ((r >> 13u) & 1u)) >> 13u);
  }
  return sign | u32(round(bitcast<f32>(a) * 16777216.0));
}

fn pack_one(b: u32) -> u32 {
  if (P.dtype == DTYPE_BF16) {
    return to_bf16(b);
  }
  if (P.dtype == DTYPE_F16) {
    return to_f16(b);
  }
  return 0u;  // the host sets one of the two
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let words = (P.n + 1u) / 2u;
  for (var w = gid.x; w < words; w += groups.x * 64u) {
    let i = P.src_base + 2u * w;
    let lo = pack_one(SRC[i]);
    var hi = 0u;
    if (2u * w + 1u < P.n) {
      hi = pack_one(SRC[i + 1u]);
    }
    DST[P.dst_base + w] = lo | (hi << 16u);
  }
}
