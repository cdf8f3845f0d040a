// Entropy's pass 1 (main.wgsl's header, steps 1-4): one read of the row (both rows for KL) into
// Stats, merged across the workgroup by reduce_row.

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

fn block_sums(x_row: u32, t_row: u32, start: u32, stride: u32, end: u32) -> Stats {
  var st = stats_empty();
  let kl = has(F_KL);
  for (var c = start; c < end; c += stride) {
    let xb = load_X(x_row + c);
    if (kl) {
      stats_push(&st, load_T(t_row + c), xb);
    } else {
      stats_push(&st, xb, 0u);
    }
  }
  return st;
}

// Pass 1 over a thread's columns start, start + stride, ...: blocks of ROW_BLOCK elements merged
// in groups of ROW_GROUP, groups merged into the total (common.wgsl), every merge stats_merge.
fn row_sums(x_row: u32, t_row: u32, start: u32, stride: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < P.cols; g = block_end(g, gspan, P.cols)) {
    let g1 = block_end(g, gspan, P.cols);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, block_sums(x_row, t_row, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}
