// jsd's row passes (main.wgsl's header): pass 1 (the two softmax states), pass 2 (the sums), and
// the per-class values both pass 2 and the gradient use. Each pass reads the row in blocks of
// ROW_BLOCK elements merged in groups of ROW_GROUP (common.wgsl), every merge stats_merge.

const J_INVALID: u32 = 1u;  // NaN, or +Infinity, in either row
const J_SING: u32 = 2u;     // FORWARD: the student masks a class the teacher does not; REVERSE: the other way
// ln of float64's smallest denormal: a probability whose log is below it is 0 in the oracle.
const LN_F64_MIN: f32 = -745.13;

struct Stats {
  qm: f32,    // student: running max of the raw logits
  qs: f32,    //   and Σ exp((z − qm)/T) (0: no class yet)
  pm: f32,    // teacher: the same
  ps: f32,
  sum: f32,   // pass 2: Σ of the loss terms
  k: f32,     // pass 2: KL(Q‖M) (mix) or KL(Q‖P) (REVERSE), the gradient's row constant
  mx: f32,    // the largest raw logit of a singular class (its side: Q's for REVERSE, P's for FORWARD)
  flags: u32,
}

fn stats_empty() -> Stats {
  return Stats(NEG_BIG, 0.0, NEG_BIG, 0.0, 0.0, 0.0, NEG_BIG, 0u);
}

// (a − b)/T for finite a <= b; NEG_BIG where the difference or the quotient overflows (its exp is 0).
fn sdiff(a: f32, b: f32) -> f32 {
  let d = a - b;
  if (is_inf_bits(bitcast<u32>(d))) {
    return NEG_BIG;
  }
  let e = d * P.inv_t;
  if (is_inf_bits(bitcast<u32>(e))) {
    return NEG_BIG;
  }
  return e;
}

// exp(e) for e <= 0, exactly 0 below EXP_FLOOR.
fn sexp(e: f32) -> f32 {
  if (e < EXP_FLOOR) {
    return 0.0;
  }
  return exp(e);
}

// One logit into an online softmax state (m, s) of raw maxima and scaled sums; an empty state
// (s = 0) takes z as is.
fn online_scaled(m: f32, s: f32, z: f32) -> vec2<f32> {
  if (s == 0.0) {
    return vec2<f32>(z, 1.0);
  }
  if (z > m) {
    return vec2<f32>(z, s * sexp(sdiff(m, z)) + 1.0);
  }
  return vec2<f32>(m, s + sexp(sdiff(z, m)));
}

fn merge_scaled(am: f32, a_s: f32, bm: f32, bs: f32) -> vec2<f32> {
  if (a_s == 0.0) {
    return vec2<f32>(bm, bs);
  }
  if (bs == 0.0) {
    return vec2<f32>(am, a_s);
  }
  let m = max(am, bm);
  return vec2<f32>(m, a_s * sexp(sdiff(am, m)) + bs * sexp(sdiff(bm, m)));
}

fn stats_merge(a: Stats, b: Stats) -> Stats {
  let q = merge_scaled(a.qm, a.qs, b.qm, b.qs);
  let p = merge_scaled(a.pm, a.ps, b.pm, b.ps);
  return Stats(q.x, q.y, p.x, p.y, a.sum + b.sum, a.k + b.k, max(a.mx, b.mx), a.flags | b.flags);
}

// The tree or subgroup reduce_row (row_reduce_tree.wgsl, row_reduce_subgroup.wgsl) moves a
// row's Stats as words.
const STATS_WORDS: u32 = 8u;

fn stats_words(s: Stats) -> array<u32, STATS_WORDS> {
  return array<u32, STATS_WORDS>(bitcast<u32>(s.qm), bitcast<u32>(s.qs), bitcast<u32>(s.pm), bitcast<u32>(s.ps),
    bitcast<u32>(s.sum), bitcast<u32>(s.k), bitcast<u32>(s.mx), s.flags);
}

fn stats_unwords(w: array<u32, STATS_WORDS>) -> Stats {
  return Stats(bitcast<f32>(w[0]), bitcast<f32>(w[1]), bitcast<f32>(w[2]), bitcast<f32>(w[3]),
    bitcast<f32>(w[4]), bitcast<f32>(w[5]), bitcast<f32>(w[6]), w[7]);
}

// Pass 1, class c: sb, tb are the bits of the student and teacher logits.
fn push_softmax(a: ptr<function, Stats>, sb: u32, tb: u32) {
  if (is_poison(sb) || is_poison(tb)) {
    (*a).flags |= J_INVALID;
    return;
  }
  let sm = is_masked(sb);
  let tm = is_masked(tb);
  if (!sm) {
    let q = online_scaled((*a).qm, (*a).qs, bitcast<f32>(sb));
    (*a).qm = q.x;
    (*a).qs = q.y;
  }
  if (!tm) {
    let p = online_scaled((*a).pm, (*a).ps, bitcast<f32>(tb));
    (*a).pm = p.x;
    (*a).ps = p.y;
  }
  if (has(F_FORWARD) && sm && !tm) {
    (*a).flags |= J_SING;
    (*a).mx = max((*a).mx, bitcast<f32>(tb));
  }
  if (has(F_REVERSE) && tm && !sm) {
    (*a).flags |= J_SING;
    (*a).mx = max((*a).mx, bitcast<f32>(sb));
  }
}

// A row's softmax constants after pass 1 (and its k after pass 2).
struct Row {
  qm: f32,
  lsq: f32,  // ln qs
  pm: f32,
  lsp: f32,  // ln ps
  k: f32,
}

// expm1(x) for x <= 0: a series near 0 (where exp(x) − 1 cancels), exp(x) − 1 below.
fn expm1_neg(x: f32) -> f32 {
  if (x > -0.5) {
    // x·(1 + x/2·(1 + x/3·(...(1 + x/9)))): the next term is below 6e−10 relative.
    return x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 + x / 6.0
      * (1.0 + x / 7.0 * (1.0 + x / 8.0 * (1.0 + x / 9.0))))))));
  }
  if (x < EXP_FLOOR) {
    return -1.0;
  }
  return exp(x) - 1.0;
}

// log1p(u) for −1 <= u <= 0: the series where it is accurate, else ln(1 + u) (exact sum there).
fn log1p_neg(u: f32) -> f32 {
  if (u >= -0.5) {
    return log1p_series(u);
  }
  return log(1.0 + u);
}

// One class's values from the row constants: its probabilities, ln Q − ln M (mix), the loss
// term, and δ = ln Q − ln P (the KL modes).
struct Cls {
  q: f32,
  p: f32,
  qlm: f32,
  term: f32,
  d: f32,
}

fn class_terms(sb: u32, tb: u32, rw: Row) -> Cls {
  var c = Cls(0.0, 0.0, 0.0, 0.0, 0.0);
  let sm = is_masked(sb);
  let tm = is_masked(tb);
  var lq: f32 = 0.0;
  var lp: f32 = 0.0;
  if (!sm) {
    lq = sdiff(bitcast<f32>(sb), rw.qm) - rw.lsq;
    c.q = sexp(lq);
  }
  if (!tm) {
    lp = sdiff(bitcast<f32>(tb), rw.pm) - rw.lsp;
    c.p = sexp(lp);
  }
  if (sm || tm) {
    // KL modes: a masked side adds nothing here (a singular class is flagged in pass 1).
    if (!has(F_FORWARD) && !has(F_REVERSE)) {
      if (tm && !sm) {
        c.qlm = P.nlomb;  // M = (1 − β)·Q
        c.term = P.omb * c.q * c.qlm;
      } else if (sm && !tm) {
        c.term = P.beta * c.p * P.nlb;  // M = β·P
      }
    }
    return c;
  }
  c.d = lq - lp;
  if (has(F_FORWARD)) {
    c.term = -c.p * c.d;
    return c;
  }
  if (has(F_REVERSE)) {
    c.term = c.q * c.d;
    return c;
  }
  // δ <= 0: ln M − ln P = log1p((1 − β)·expm1(δ)) >= ln β;  δ > 0: ln M − ln Q = log1p(β·expm1(−δ)) >= ln(1 − β).
  var plm: f32;
  if (c.d <= 0.0) {
    let a = max(log1p_neg(P.omb * expm1_neg(c.d)), -P.nlb);
    plm = -a;
    c.qlm = c.d - a;
  } else {
    let b = max(log1p_neg(P.beta * expm1_neg(-c.d)), -P.nlomb);
    plm = -c.d - b;
    c.qlm = -b;
  }
  c.term = P.beta * c.p * plm + P.omb * c.q * c.qlm;
  return c;
}

// Pass 2, class c: the loss term, and k's term.
fn push_terms(a: ptr<function, Stats>, sb: u32, tb: u32, rw: Row) {
  let c = class_terms(sb, tb, rw);
  (*a).sum += c.term;
  if (has(F_REVERSE)) {
    (*a).k += c.term;
  } else {
    (*a).k += c.q * c.qlm;
  }
}

fn block_sums(which: u32, s_row: u32, t_row: u32, rw: Row, start: u32, stride: u32, end: u32) -> Stats {
  var st = stats_empty();
  for (var c = start; c < end; c += stride) {
    if (which == 1u) {
      push_softmax(&st, load_S(s_row + c), load_TE(t_row + c));
    } else {
      push_terms(&st, load_S(s_row + c), load_TE(t_row + c), rw);
    }
  }
  return st;
}

// A pass over a thread's columns start, start + stride, ...: blocks of ROW_BLOCK elements merged
// in groups of ROW_GROUP, groups merged into the total (common.wgsl).
fn row_pass(which: u32, s_row: u32, t_row: u32, rw: Row, start: u32, stride: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < P.cols; g = block_end(g, gspan, P.cols)) {
    let g1 = block_end(g, gspan, P.cols);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, block_sums(which, s_row, t_row, rw, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}
