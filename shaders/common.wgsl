// Shared by every kernel (the host prepends it to each family's shader).
//
// WGSL lets an implementation assume no NaN or infinity appears in float arithmetic, and
// SwiftShader takes it up on that (log(0) is about -88, max() drops NaN, x != x is false for NaN).
// So non-finite values are told apart by their bits, never by float comparisons, and written as
// bits: kernels read and write f32 data through array<u32> and bitcast.

// Start value of a running maximum: below any logit that can matter, and finite so that
// differences with it stay defined.
const NEG_BIG: f32 = -3.0e38;
// Below this, exp() is 0 in float32 (even as a denormal): skip it rather than trust exp(-huge).
const EXP_FLOOR: f32 = -104.0;

const BITS_NAN: u32 = 0x7fc00000u;
const BITS_POS_INF: u32 = 0x7f800000u;
const BITS_NEG_INF: u32 = 0xff800000u;
const EXP_MASK: u32 = 0x7f800000u;
const ABS_MASK: u32 = 0x7fffffffu;
const SIGN: u32 = 0x80000000u;

// How a row's gradient is written (its RowOut.gmode).
const GMODE_WRITE: u32 = 0u;  // computed per element
const GMODE_ZEROS: u32 = 1u;  // an ignored or all-masked row
const GMODE_NAN: u32 = 2u;    // a row without a defined result

// NaN, and ±Infinity, of either sign.
fn is_nan_bits(b: u32) -> bool {
  return (b & ABS_MASK) > EXP_MASK;
}
fn is_inf_bits(b: u32) -> bool {
  return (b & ABS_MASK) == EXP_MASK;
}
// NaN or +Infinity: values after which a row has no defined result.
fn is_poison(b: u32) -> bool {
  return (b & EXP_MASK) == EXP_MASK && b != BITS_NEG_INF;
}
// -Infinity: a masked class.
fn is_masked(b: u32) -> bool {
  return b == BITS_NEG_INF;
}

// Running log-sum-exp state: the maximum m and the sum s of exp(x - m).
struct Online {
  m: f32,
  s: f32,
}

// exp(a - b) for a <= b, without forming a - b when it would overflow (a near -3e38, b near
// 3e38): below exp(-104) a float32 is 0 anyway. For a huge b, b - 104 rounds to b, and any
// a < b is then at least one of b's ulps (far more than 104) below it.
fn exp_sub(a: f32, b: f32) -> f32 {
  if (a < b + EXP_FLOOR) {
    return 0.0;
  }
  return exp(a - b);
}

fn online_empty() -> Online {
  return Online(NEG_BIG, 0.0);
}

// 1. A larger x rescales the sum: s <- s * exp(m - x) + 1, m <- x.
// 2. Otherwise s <- s + exp(x - m).
// An empty state (s == 0) takes x as is, so NEG_BIG never meets a huge x in a subtraction.
fn online_push(st: Online, x: f32) -> Online {
  if (st.s == 0.0) {
    return Online(x, 1.0);
  }
  if (x > st.m) {
    return Online(x, st.s * exp_sub(st.m, x) + 1.0);
  }
  return Online(st.m, st.s + exp_sub(x, st.m));
}

// Merge two states: both sums rescaled to the larger maximum.
fn online_merge(a: Online, b: Online) -> Online {
  if (a.s == 0.0) {
    return b;
  }
  if (b.s == 0.0) {
    return a;
  }
  let m = max(a.m, b.m);
  return Online(m, a.s * exp_sub(a.m, m) + b.s * exp_sub(b.m, m));
}

// Row loops sum in three levels, so that no float32 sum takes more than a few hundred terms:
//   1. A thread's columns go in blocks of ROW_BLOCK elements (block-local state: its own max,
//      sums relative to it), as the loops always did.
//   2. ROW_GROUP blocks merge, in order, into a group (the family's stats_merge: both sums
//      rescaled to the larger maximum, then added).
//   3. Groups merge, in order, into the thread's total.
// One long sequential sum (a thread per row over 128k classes) drops every term below half an
// ulp of the running sum: with logits of spread 10 that is ~1% of the terms, each rounded the
// same way, a relative error of 2e-5 in s. Here each level adds at most ~128 terms of a size
// comparable to its partial sum: a relative error of a few 1e-7. It costs one merge per block.
const ROW_BLOCK: u32 = 128u;
const ROW_GROUP: u32 = 32u;

// End of the block of `span` columns starting at c < end: c + span, or end when that is nearer
// (no overflow of c + span near 2^32).
fn block_end(c: u32, span: u32, end: u32) -> u32 {
  return select(end, c + span, end - c > span);
}

// log-sum-exp of a non-empty state.
fn online_lse(st: Online) -> f32 {
  return st.m + log_sum(st.s);
}

// log1p(u) for −1/2 ≤ u ≤ 1, to float32 precision however small |u| is (1e−30 included, and
// where 1 + u rounds to 1): log1p(u) = 2·atanh(s), s = u / (2 + u), |s| ≤ 1/3, by the series
// 2·s·(1 + s²/3 + s⁴/5 + ... + s¹⁴/15) (next term (1/9)⁸/17 < 2e−9 relative). No log, no 1 + u.
fn log1p_series(u: f32) -> f32 {
  let s = u / (2.0 + u);
  let z = s * s;
  let q = 1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0
    + z * (1.0 / 13.0 + z * (1.0 / 15.0)))))));
  return 2.0 * s * q;
}

// ln s for a softmax denominator s >= 1 (the maximum's own term is 1). WGSL's log may be off by
// 2^-21 absolutely on [0.5, 2], which is most of a near-certain row's log-softmax; below 2 the
// series above (s - 1 is exact there) keeps full precision.
fn log_sum(s: f32) -> f32 {
  if (s < 2.0) {
    return log1p_series(s - 1.0);
  }
  return log(s);
}

// Soft-cap z' = c·tanh(z / c). A finite argument is clamped at ±10, where tanh is 1 in float32:
// some tanh implementations (SwiftShader's) overflow past |z / c| ~ 89 and return NaN. NaN and
// infinities pass unclamped (clamp's result for NaN is not defined), so they behave as before.
fn soft_cap(z: f32, c: f32) -> f32 {
  let t = z / c;
  let special = (bitcast<u32>(t) & EXP_MASK) == EXP_MASK;
  return c * tanh(select(clamp(t, -10.0, 10.0), t, special));
}

fn soft_cap4(z: vec4<f32>, c: f32) -> vec4<f32> {
  let t = z / c;
  let special = (bitcast<vec4<u32>>(t) & vec4<u32>(EXP_MASK)) == vec4<u32>(EXP_MASK);
  return c * tanh(select(clamp(t, vec4<f32>(-10.0), vec4<f32>(10.0)), t, special));
}
