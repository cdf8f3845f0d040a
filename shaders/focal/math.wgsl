// Focal losses' q^γ = exp(γ·ln q), through unit_math.wgsl's exp_neg (γ·ln q spans the whole
// float32 range, where the builtin exp's error grows with the argument).

// q^γ for 0 <= q <= 1 given ln q (`zero`: q = 0, ln q unused): exactly 1 for γ = 0 (0^0 = 1),
// 0 for q = 0 and γ > 0.
fn pow_unit(lnq: f32, gamma: f32, zero: bool) -> f32 {
  if (gamma == 0.0) {
    return 1.0;
  }
  if (zero) {
    return 0.0;
  }
  return exp_neg(min(gamma * lnq, 0.0));
}
