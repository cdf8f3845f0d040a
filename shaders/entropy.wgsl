// Entropy H(P) and KL divergence KL(P‖Q) over the rows of [rows, V] inputs, fused with the
// gradient with respect to the input. One family: entropy is the KL machinery with no Q side.
//
//   entropy:      P = X (the input: probabilities, or logits through a softmax); no Q.
//   klDivergence: Q = X (the input, the prediction), P = T (the target); each side logits or probs.
//
// Both reduce to one sum per row, D = Σ_{P_c ≠ 0} P_c·(ln P_c − ln Q_c), with ln Q_c = 0 for
// entropy (H = −D) and ln Q_c = ln max(Q_c, ε) for Q given as probabilities.
//
// Entry `main` (the rows). Pass 1, one read of the row (both rows for KL), per thread over a strided
// slice, then merged across the workgroup by reduce_row (a tree in workgroup memory, or subgroup
// shuffles; stats_merge is commutative bit for bit, as the subgroup butterfly needs):
//   1. Logits sides keep an online state (m, s): running max m and s = Σ exp(z − m). KL with
//      both sides logits keeps two, (mp, sp) for P and (mq, sq) for Q, in the same pass.
//   2. Per class, a weight wt and a log lt for P (logits: wt = exp(zp − mp), lt = zp − mp;
//      probs: wt = p, lt = ln p) and a log lq for Q (logits: zq − mq; probs: ln max(q, ε);
//      entropy: 0). Sums U = Σ wt·(lt − lq) and W = Σ wt over the classes where P_c ≠ 0.
//   3. The online updates keep U and W relative to the current maxima. A new P max mp' = mp + d
//      scales every wt by exp(−d) and lowers every lt by d:
//        U ← exp(−d)·(U − d·W),  W ← exp(−d)·W,  sp ← exp(−d)·sp.
//      A new Q max mq' = mq + d lowers every lq by d:  U ← U + d·W,  sq ← exp(−d)·sq.
//      The two shifts commute, so a tree merge aligns both sides of both halves and adds.
//   4. With ln P_c = lt − ln sp (logits) and ln Q_c = lq − ln sq (logits), P_c = wt / sp:
//        D = (U + W·(ln sq − ln sp)) / sp,
//      where a probs side takes ln s = 0 and sp = 1. Entropy from logits: H = ln sp − U/sp.
// Pass 2, a second read of the row, writes the gradient (times 1/ln 2 for bits, 1/rows for mean):
//   entropy, probs:  dH/dp_j = −(ln max(p_j, ε) + 1).
//   entropy, logits: dH/dz_j = −p_j·(ln p_j + H), since d ln p_c/dz_j = δ_cj − p_j and Σ p = 1.
//   KL, Q logits:    dD/dz_c = Q_c·Σ_k P_k − P_c (d ln Q_k/dz_c = δ_kc − Q_c; Σ P = 1 for P logits).
//   KL, Q probs:     dD/dq_c = −P_c / max(q_c, ε).
//
// Non-finite values are decided on bits (SwiftShader's inf/NaN arithmetic is not IEEE) and the
// results reproduce the float64 oracle (src/reference/entropy.ts):
//   - NaN anywhere in a row, or +Infinity in a logits row (either side): NaN loss and gradient.
//   - -Infinity logits are masked classes (probability 0). Entropy: an all-masked row has H = 0,
//     gradient 0. KL: an all-masked Q row has loss +Infinity, gradient 0; a masked Q class where
//     P_c ≠ 0 makes the loss +Infinity; an all-masked P row has P = 0 and loss 0.
//   - Probabilities equal to 0 add nothing (0·ln 0 = 0); negative ones (or -Infinity) make the
//     loss NaN (ln of a negative); +Infinity ones make it ±Infinity as IEEE would (tracked as
//     flags, and combined: +Infinity with -Infinity is NaN). The gradient follows the same
//     extended arithmetic (xmul, xadd, xdiv below), so ±Infinity probabilities give the
//     oracle's infinities and NaNs there too.
//   - "P_c ≠ 0" for P from logits is the oracle's float64 test: exp(zp − lse_P) underflows to 0
//     in float64 below −745, so a singular class (Q masked, or Q probability +Infinity) counts
//     only if its P logit is within 745 of lse_P (tracked as the largest such logit). Likewise
//     in the gradient a Q_c that float32 flushes to 0 but float64 keeps counts as non-zero when
//     it multiplies an infinite Σ P (Infinity, not 0·Infinity = NaN).
//   - Logit differences past the float32 range (|z| near 3e38): exp(z − m) is exactly 0 there and
//     a zero weight is never multiplied by its (overflowed) log, so entropy stays finite and
//     exact. A KL whose true value exceeds the float32 range (P mass where Q's logit is ~1e38
//     below its max) has no float32 answer and is outside the contract.
//
// Pipeline key: WG and WG_PER_ROW (a workgroup per row, or a thread per row for short rows), FLAGS
// (the operation and the input kinds), plus the row-reduction variant (tree, or subgroups with
// SG). ε, scales and shapes are in the uniform block; Params, the bindings and F_* are generated
// from src/kernels/entropy.layout.ts.

override WG: u32 = 64u;
override WG_PER_ROW: bool = true;
// Below this, exp() is 0 in float64 (the oracle's underflow, denormals included).
const EXP_FLOOR_F64: f32 = -745.13;

// ---- bits ------------------------------------------------------------------------------------

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

// ---- pass 1: the row's sums -----------------------------------------------------------------

const A_INVALID: u32 = 1u;   // NaN (or +Infinity logits): loss and gradient NaN
const A_NAN: u32 = 2u;       // D is NaN (a negative probability)
const A_PINF: u32 = 4u;      // D has a +Infinity term
const A_NINF: u32 = 8u;      // D has a -Infinity term
const A_PS_PINF: u32 = 16u;  // Σ P holds +Infinity (P probs)
const A_PS_NINF: u32 = 32u;  // Σ P holds -Infinity (P probs)
const A_SING: u32 = 64u;     // P logits: a singular class was seen (its logit is in mx)

struct Stats {
  pm: f32,    // P logits: running max
  ps: f32,    //   and Σ exp(zp − pm) (0: empty)
  qm: f32,    // Q logits: running max
  qs: f32,    //   and Σ exp(zq − qm)
  u: f32,     // U = Σ wt·(lt − lq)
  w: f32,     // W = Σ wt
  psum: f32,  // Σ P_c over the finite probabilities (P probs)
  mx: f32,    // P logits: the largest P logit of a singular class
  flags: u32,
}

fn stats_empty() -> Stats {
  return Stats(NEG_BIG, 0.0, NEG_BIG, 0.0, 0.0, 0.0, 0.0, NEG_BIG, 0u);
}

// Step 3: P's maximum rises to m (m >= pm). An empty side takes m as is.
fn p_shift(a: ptr<function, Stats>, m: f32) {
  if ((*a).ps == 0.0) {
    (*a).pm = m;
    return;
  }
  let d = m - (*a).pm;
  let f = exp_neg(-d);
  if (f == 0.0) {
    (*a).ps = 0.0;
    (*a).u = 0.0;
    (*a).w = 0.0;
  } else {
    (*a).ps *= f;
    (*a).u = f * ((*a).u - d * (*a).w);
    (*a).w *= f;
  }
  (*a).pm = m;
}

// Step 3: Q's maximum rises to m. An empty Q side has W = 0 (every counted class needs Q_c > 0).
fn q_shift(a: ptr<function, Stats>, m: f32) {
  if ((*a).qs == 0.0) {
    (*a).qm = m;
    return;
  }
  let d = m - (*a).qm;
  (*a).qs *= exp_neg(-d);
  (*a).u += d * (*a).w;
  (*a).qm = m;
}

// Steps 1-2 for class c: pb, qb are the bits of P_c and Q_c (qb unused for entropy).
fn stats_push(a: ptr<function, Stats>, pb: u32, qb: u32) {
  let kl = has(F_KL);
  let p_probs = select(has(F_X_PROBS), has(F_T_PROBS), kl);
  let q_probs = has(F_X_PROBS);
  // Rows with no defined result.
  let p_bad = select(is_poison(pb), is_nan_bits(pb), p_probs);
  let q_bad = kl && select(is_poison(qb), is_nan_bits(qb), q_probs);
  if (p_bad || q_bad) {
    (*a).flags |= A_INVALID;
    return;
  }
  // Q side: the online state, and this class's lq (or why it has none).
  var lq: f32 = 0.0;
  var q_sing = false;    // ln Q_c = -Infinity (masked) or +Infinity (probability +Infinity)
  var q_pos_inf = false; // ln Q_c = +Infinity
  if (kl) {
    if (!q_probs) {
      if (is_masked(qb)) {
        q_sing = true;
      } else {
        let zq = bitcast<f32>(qb);
        if ((*a).qs == 0.0 || zq > (*a).qm) {
          q_shift(a, zq);
        }
        lq = zq - (*a).qm;
        (*a).qs += exp_neg(lq);
      }
    } else if (qb == BITS_POS_INF) {
      q_sing = true;
      q_pos_inf = true;
    } else {
      lq = ln_clip(qb);
    }
  }
  // P side: the weight and log of this class, if P_c ≠ 0.
  var wt: f32 = 0.0;
  var lt: f32 = 0.0;
  var present = false;
  var zp: f32 = 0.0;
  if (!p_probs) {
    if (!is_masked(pb)) {
      zp = bitcast<f32>(pb);
      if ((*a).ps == 0.0 || zp > (*a).pm) {
        p_shift(a, zp);
      }
      lt = zp - (*a).pm;
      wt = exp_neg(lt);
      (*a).ps += wt;
      present = true;
    }
  } else if (!is_zero_bits(pb)) {
    if ((pb & SIGN) != 0u) {
      // ln of a negative probability (or of -Infinity): NaN.
      (*a).flags |= A_NAN;
      if (pb == BITS_NEG_INF) {
        (*a).flags |= A_PS_NINF;
      } else {
        (*a).psum += bitcast<f32>(pb);
      }
    } else if (pb == BITS_POS_INF) {
      // +Infinity·(ln +Infinity − ln Q_c): +Infinity, or NaN against ln Q_c = +Infinity.
      (*a).flags |= select(A_PINF, A_NAN, q_pos_inf) | A_PS_PINF;
    } else {
      wt = bitcast<f32>(pb);
      lt = log(wt);
      (*a).psum += wt;
      present = true;
    }
  }
  if (!present) {
    return;
  }
  if (q_sing) {
    // P_c·(ln P_c ∓ Infinity). Logits P: decided at the end against lse_P (see the header).
    if (p_probs) {
      (*a).flags |= select(A_PINF, A_NINF, q_pos_inf);
    } else {
      (*a).flags |= A_SING;
      (*a).mx = max((*a).mx, zp);
    }
    return;
  }
  // A weight that underflowed adds nothing (and lt may have overflowed to -Infinity).
  if (wt == 0.0) {
    return;
  }
  (*a).u += wt * (lt - lq);
  (*a).w += wt;
}

fn stats_merge(a0: Stats, b0: Stats) -> Stats {
  var a = a0;
  var b = b0;
  if (a.qs != 0.0 && b.qs != 0.0) {
    let m = max(a.qm, b.qm);
    q_shift(&a, m);
    q_shift(&b, m);
  } else if (a.qs == 0.0) {
    a.qm = b.qm;
  }
  if (a.ps != 0.0 && b.ps != 0.0) {
    let m = max(a.pm, b.pm);
    p_shift(&a, m);
    p_shift(&b, m);
  } else if (a.ps == 0.0) {
    a.pm = b.pm;
  }
  return Stats(a.pm, a.ps + b.ps, a.qm, a.qs + b.qs, a.u + b.u, a.w + b.w, a.psum + b.psum,
             max(a.mx, b.mx), a.flags | b.flags);
}

// The tree or subgroup reduce_row (row_reduce_tree.wgsl, row_reduce_subgroup.wgsl) moves a
// row's Stats as words.
const STATS_WORDS: u32 = 9u;

fn stats_words(s: Stats) -> array<u32, STATS_WORDS> {
  return array<u32, STATS_WORDS>(bitcast<u32>(s.pm), bitcast<u32>(s.ps), bitcast<u32>(s.qm), bitcast<u32>(s.qs),
    bitcast<u32>(s.u), bitcast<u32>(s.w), bitcast<u32>(s.psum), bitcast<u32>(s.mx), s.flags);
}

fn stats_unwords(w: array<u32, STATS_WORDS>) -> Stats {
  return Stats(bitcast<f32>(w[0]), bitcast<f32>(w[1]), bitcast<f32>(w[2]), bitcast<f32>(w[3]),
    bitcast<f32>(w[4]), bitcast<f32>(w[5]), bitcast<f32>(w[6]), bitcast<f32>(w[7]), w[8]);
}

fn row_sums(x_row: u32, t_row: u32, start: u32, stride: u32) -> Stats {
  var st = stats_empty();
  let kl = has(F_KL);
  for (var c = start; c < P.cols; c += stride) {
    let xb = X[x_row + c];
    if (kl) {
      stats_push(&st, T[t_row + c], xb);
    } else {
      stats_push(&st, xb, 0u);
    }
  }
  return st;
}

// ---- pass 2: the gradient -------------------------------------------------------------------

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
        tb = T[t_row + c];
      }
      o = xmul(grad_of(X[x_row + c], tb, a, ro), scale);
    }
    if (live) {
      G[g_row + c] = o;
    }
  }
}

// ---- rows ------------------------------------------------------------------------------------

// One row: sums, loss, gradient. `r` is clamped to a real row so every thread of a workgroup
// walks the same barriers; `live` guards the writes.
fn do_row(r: u32, live: bool, lid: u32) {
  var start = 0u;
  var stride = 1u;
  if (WG_PER_ROW) {
    start = lid;
    stride = WG;
  }
  let x_row = P.x_base + r * P.cols;
  let t_row = P.t_base + r * P.cols;
  let kl = has(F_KL);
  let p_logits = select(!has(F_X_PROBS), !has(F_T_PROBS), kl);
  let q_logits = kl && !has(F_X_PROBS);

  let a = reduce_row(lid, row_sums(x_row, t_row, start, stride));
  var ro = RowOut(GMODE_WRITE, 0.0, 0.0, 0.0, 0u);
  var flags = a.flags;
  var loss: u32;
  // Step 4.
  var d: f32 = 0.0;
  var inv_sp: f32 = 1.0;
  if (p_logits && a.ps > 0.0) {
    ro.lsp = log(a.ps);
    inv_sp = 1.0 / a.ps;
    if ((flags & A_SING) != 0u && (a.mx - a.pm) - ro.lsp > EXP_FLOOR_F64) {
      flags |= select(A_PINF, A_NINF, has(F_X_PROBS));
    }
  }
  if (q_logits && a.qs > 0.0) {
    ro.lsq = log(a.qs);
  }
  if (!p_logits || a.ps > 0.0) {
    d = (a.u + a.w * (ro.lsq - ro.lsp)) * inv_sp;
  }
  // Entropy is −D: its infinities swap sign.
  var pinf = (flags & A_PINF) != 0u;
  var ninf = (flags & A_NINF) != 0u;
  if (!kl) {
    let t = pinf;
    pinf = ninf;
    ninf = t;
    d = -d;
    ro.h = d;
  }
  if ((flags & A_NAN) != 0u || (pinf && ninf)) {
    loss = BITS_NAN;
  } else if (pinf) {
    loss = BITS_POS_INF;
  } else if (ninf) {
    loss = BITS_NEG_INF;
  } else {
    loss = bitcast<u32>(d * P.out_scale);
  }
  if (kl) {
    if (!has(F_T_PROBS)) {
      ro.sum_p = bitcast<u32>(select(0.0, 1.0, a.ps > 0.0));
    } else {
      var sp = bitcast<u32>(a.psum);
      if ((flags & A_PS_PINF) != 0u) {
        sp = xadd(sp, BITS_POS_INF);
      }
      if ((flags & A_PS_NINF) != 0u) {
        sp = xadd(sp, BITS_NEG_INF);
      }
      ro.sum_p = sp;
    }
  } else if (p_logits && a.ps == 0.0) {
    ro.gmode = GMODE_ZEROS;  // entropy of an all-masked row: 0, gradient 0
  }
  if (q_logits && a.qs == 0.0) {
    loss = BITS_POS_INF;  // every Q class masked
    ro.gmode = GMODE_ZEROS;
  }
  if ((flags & A_INVALID) != 0u) {
    loss = BITS_NAN;
    ro.gmode = GMODE_NAN;
  }
  if (live && lid == 0u) {
    LOSS[P.row0 + r] = loss;
  }
  if (has(F_GRAD)) {
    write_grad(x_row, t_row, P.g_base + r * P.cols, a, ro, start, stride, live);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  if (P.rows == 0u) {
    return;
  }
  if (WG_PER_ROW) {
    for (var r = wid.x; r < P.rows; r += nwg.x) {
      do_row(r, true, lid);
    }
  } else {
    // A thread per row; the loop bound is the same for the whole workgroup.
    for (var r0 = wid.x * WG; r0 < P.rows; r0 += nwg.x * WG) {
      let r = r0 + lid;
      do_row(min(r, P.rows - 1u), r < P.rows, 0u);
    }
  }
}
