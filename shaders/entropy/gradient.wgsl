// Entropy's pass 2: the gradient, from a second read of the row (main.wgsl's header).

struct RowOut {
  gmode: u32,    // GMODE_*
  h: f32,        // entropy from logits: H in nats
  lsp: f32,      // ln sp (P logits)
  lsq: f32,      // ln sq (Q logits)
  sum_p: u32,    // bits of Σ_k P_k (KL, Q logits)
}

// Bits of P_c for the gradient (KL): the target probability, or exp(zp − lse_P).
fn p_value(pb: u32, a: Stats, ro: RowOut) -> u32 {
  if (has(F_T_PROBS)) {
    return pb;
  }
  if (is_masked(pb) || a.ps == 0.0) {
    return 0u;
  }
  return bitcast<u32>(exp_neg((bitcast<f32>(pb) - a.pm) - ro.lsp));
}

fn grad_of(xb: u32, tb: u32, a: Stats, ro: RowOut) -> u32 {
  if (!has(F_KL)) {
    if (has(F_X_PROBS)) {
      // −(ln max(p, ε) + 1); p = +Infinity gives −Infinity.
      if (xb == BITS_POS_INF) {
        return BITS_NEG_INF;
      }
      return bitcast<u32>(-(ln_clip(xb) + 1.0));
    }
    if (is_masked(xb)) {
      return 0u;
    }
    let lp = (bitcast<f32>(xb) - a.pm) - ro.lsp;
    let p = exp_neg(lp);
    if (p == 0.0) {
      return 0u;  // the oracle's p_j = 0 rule (lp may have overflowed to -Infinity)
    }
    return bitcast<u32>(-p * (lp + ro.h));
  }
  let pc = p_value(tb, a, ro);
  if (has(F_X_PROBS)) {
    // −P_c / max(q_c, ε)
    var den = BITS_POS_INF;
    if (xb != BITS_POS_INF) {
      den = select(bitcast<u32>(P.eps), xb, (xb & SIGN) == 0u && bitcast<f32>(xb) > P.eps);
    }
    return xdiv(pc ^ SIGN, den);
  }
  // Q_c·Σ P − P_c. Q_c is 0 only where the oracle's float64 value is (masked, or below e^−745),
  // so that 0·Infinity stays NaN and a tiny Q_c times Infinity stays Infinity.
  var qc = 0u;
  if (!is_masked(xb)) {
    let lq = (bitcast<f32>(xb) - a.qm) - ro.lsq;
    qc = bitcast<u32>(exp_neg(lq));
    if (qc == 0u && lq > EXP_FLOOR_F64) {
      qc = 1u;
    }
  }
  return xadd(xmul(qc, ro.sum_p), pc ^ SIGN);
}

fn write_grad(x_row: u32, t_row: u32, g_row: u32, a: Stats, ro: RowOut, start: u32, stride: u32, live: bool) {
  let scale = bitcast<u32>(P.grad_scale);
  for (var c = start; c < P.cols; c += stride) {
    var o = 0u;
    if (ro.gmode == GMODE_NAN) {
      o = BITS_NAN;
    } else if (ro.gmode == GMODE_WRITE) {
      var tb = 0u;
      if (has(F_KL)) {
        tb = load_T(t_row + c);
      }
      o = xmul(grad_of(load_X(x_row + c), tb, a, ro), scale);
    }
    if (live) {
      G[g_row + c] = o;
    }
  }
}
