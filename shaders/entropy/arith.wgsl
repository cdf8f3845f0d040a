// Entropy's arithmetic on float bits, for values that may be ±Infinity or NaN (SwiftShader's
// inf/NaN arithmetic is not IEEE): products, sums and quotients as IEEE gives them, and the
// exp and clipped log the passes use.

// Below this, exp() is 0 in float64 (the oracle's underflow, denormals included).
const EXP_FLOOR_F64: f32 = -745.13;

fn is_zero_bits(b: u32) -> bool {
  return (b & ABS_MASK) == 0u;
}

// IEEE products, sums and quotients of float bits where an operand may be ±Infinity or NaN.
fn xmul(a: u32, b: u32) -> u32 {
  if (is_nan_bits(a) || is_nan_bits(b)) {
    return BITS_NAN;
  }
  if (is_inf_bits(a) || is_inf_bits(b)) {
    if (is_zero_bits(a) || is_zero_bits(b)) {
      return BITS_NAN;
    }
    return ((a ^ b) & SIGN) | EXP_MASK;
  }
  return bitcast<u32>(bitcast<f32>(a) * bitcast<f32>(b));
}

fn xadd(a: u32, b: u32) -> u32 {
  if (is_nan_bits(a) || is_nan_bits(b)) {
    return BITS_NAN;
  }
  if (is_inf_bits(a) && is_inf_bits(b)) {
    return select(BITS_NAN, a, a == b);
  }
  if (is_inf_bits(a)) {
    return a;
  }
  if (is_inf_bits(b)) {
    return b;
  }
  return bitcast<u32>(bitcast<f32>(a) + bitcast<f32>(b));
}

// a / b for b > 0 (finite or +Infinity).
fn xdiv(a: u32, b: u32) -> u32 {
  if (is_nan_bits(a) || is_nan_bits(b) || (is_inf_bits(a) && is_inf_bits(b))) {
    return BITS_NAN;
  }
  if (is_inf_bits(b)) {
    return (a ^ b) & SIGN;
  }
  if (is_inf_bits(a)) {
    return ((a ^ b) & SIGN) | EXP_MASK;
  }
  return bitcast<u32>(bitcast<f32>(a) / bitcast<f32>(b));
}

// exp(d) for d <= 0, exactly 0 below EXP_FLOOR (and for d = -Infinity after an overflow).
fn exp_neg(d: f32) -> f32 {
  if (bitcast<u32>(d) == BITS_NEG_INF || d < EXP_FLOOR) {
    return 0.0;
  }
  return exp(d);
}

// ln max(q, ε) of a probability that is not NaN and not +Infinity.
fn ln_clip(b: u32) -> f32 {
  let q = bitcast<f32>(b);
  if ((b & SIGN) != 0u || q <= P.eps) {
    return P.ln_eps;
  }
  return log(q);
}
