// exp of a non-positive argument and ln of a probability, accurate to about 1 ulp over the whole
// float32 range (the builtins' error grows with the argument): the binary cross-entropy and the
// focal losses form ln σ, σ and (1 − p)^γ with them.

// exp(y) for y <= 0, to about 1 ulp for every y: y = k·ln 2 + r with |r| <= ln2/2 (ln 2 split in a
// 15-bit head, so k·LN2_HI is exact, and a tail), exp(r) by its degree-7 Taylor polynomial
// (truncation r⁸/8! < 6e−9 relative), then scaled by 2^k. Below EXP_FLOOR (and for -Infinity) 0.
const LOG2E: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.4286068202862268e-6;  // ln 2 − LN2_HI

fn exp_neg(y: f32) -> f32 {
  if (bitcast<u32>(y) == BITS_NEG_INF || y < EXP_FLOOR) {
    return 0.0;
  }
  let k = round(y * LOG2E);
  let r = (y - k * LN2_HI) - k * LN2_LO;
  let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0
    + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
  return ldexp(p, i32(k));
}

// ln x for 0 < x <= 1: the series near 1 (x − 1 is exact there), the builtin (3 ulp) below 1/2.
fn ln_unit(x: f32) -> f32 {
  if (x >= 0.5) {
    return log1p_series(x - 1.0);
  }
  return log(x);
}
