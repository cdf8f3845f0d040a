// Shared by every kernel (the host prepends it to each family's shader).
//
// WGSL lets an implementation assume no NaN or infinity appears in float arithmetic, and
// SwiftShader takes it up on that (log(0) is about -88, max() drops NaN, x != x is false for NaN).
// So non-finite values are told apart by their bits, never by float comparisons, and written as
// bits: kernels read and write f32 data through array<u32> and bitcast.

// Start value of a running maximum: below any logit that can matter, and finite so that
// differences with it stay defined.
const NEG_BIG: f32 = -3.0e38;

const BITS_NAN: u32 = 0x7fc00000u;
const BITS_POS_INF: u32 = 0x7f800000u;
const BITS_NEG_INF: u32 = 0xff800000u;
const EXP_MASK: u32 = 0x7f800000u;

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
    return Online(x, st.s * exp(st.m - x) + 1.0);
  }
  return Online(st.m, st.s + exp(x - st.m));
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
  return Online(m, a.s * exp(a.m - m) + b.s * exp(b.m - m));
}

// log-sum-exp of a non-empty state.
fn online_lse(st: Online) -> f32 {
  return st.m + log(st.s);
}
