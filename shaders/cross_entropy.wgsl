// Cross-entropy over the rows of a [rows, V] input, fused with its gradient.
//
// Entry `prepare` (one workgroup, before the rows): scans the sparse labels once into META
// (label_scan.wgsl; W = sum_c w[c] with smoothing only, else 0).
// Entry `main` (the rows), from logits z:
//   1. z' = c·tanh(z / c) with soft-cap c, else z' = z.
//   2. One read of the row: online max m and sum s of exp(z' - m), sum_c a_c·z'_c for the
//      smoothing (or dense target) coefficients a_c, argmax; merged in a tree across the workgroup.
//      lse = m + log(s); -lp_c = lse - z'_c. Without smoothing, dense targets or extras, the
//      fast form (logits_fast) computes only m and s, branch-free, and a row holding -Infinity,
//      NaN, +Infinity or |z| >= 2^64 is read again by the careful form (logits_stats).
//   3. Sparse label y, smoothing e, weights w:
//        loss = (1-e)·w[y]·(lse - z'_y) + (e/V)·(W·lse - sum_c w[c]·z'_c) + zl·lse²
//      Dense targets t' = (1-e)·t + e/V, A = sum_c w[c]·t'_c:
//        loss = A·lse - sum_c w[c]·t'_c·z'_c + zl·lse²
//   4. Gradient (second read of the row, written once): with p_c = exp(z'_c - lse),
//        d loss / d z'_c = p_c·K - a_c,  K = sum_c a_c + 2·zl·lse
//      (sparse: a_c = (1-e)·w[y]·[c = y] + (e/V)·w[c]; dense: a_c = w[c]·t'_c), because
//      d lse / d z'_c = p_c. Times dz'/dz = 1 - (z'/c)² under the soft-cap, times the reduction's
//      scale (1/META[0] for the mean) and 1/ln 2 for bits.
// From probabilities p (q = p / sum p when normalising, q̂ = clip(q, eps, 1 - eps)):
//   loss = sum_c a_c·(-log q̂_c);  d loss / d q_c = -a_c / q̂_c inside the clip, 0 outside;
//   normalising adds the chain through q = p / S: d/dp_j = (g_j - sum_c q_c·g_c) / S.
// Contract (README, tested): -Infinity logits are masked classes (p = 0). A row with NaN or
// +Infinity gets NaN loss and NaN gradient. A masked target class, a masked class with a
// non-zero smoothing/target coefficient, or an all-masked row gets loss +Infinity; an all-masked
// row gets a zero gradient. Ignored rows: loss 0, gradient 0. A label out of range: NaN loss and
// gradient, counted in META[2] for the host to report.
//
// Pipeline key: WG, WG_PER_ROW (a workgroup per row, or a thread per row for short rows), CPU_ROWS,
// FLAGS (the call's features; on SwiftShader a uniform branch in the inner loop cost several times
// the loop's arithmetic, hence overrides), and the row reduction: a workgroup tree, or subgroups
// (module variant, override SG). Shapes and option values live in the uniform block; Params, the
// bindings, F_*, META_WORDS and STATS_WORDS are generated from src/kernels/cross-entropy.layout.ts.

override WG: u32 = 64u;
override WG_PER_ROW: bool = true;
// A thread per row on a CPU adapter: `main` holds no barrier (a folded prepare runs serially in
// one thread), since SwiftShader runs each subgroup of an entry point with one as a coroutine.
override CPU_ROWS: bool = false;

// Stats.flags bits.
const ROW_POISON: u32 = 1u;  // NaN or +Infinity seen
const ROW_MASKED: u32 = 2u;  // a masked class with a non-zero coefficient
const ROW_REDO: u32 = 4u;    // the fast pass saw a special or huge value: the careful pass redid the row

// Argmax categories (Stats.acat): NaN counts as the maximum, then +Infinity.
const CAT_FINITE: u32 = 0u;
const CAT_POS_INF: u32 = 1u;
const CAT_NAN: u32 = 2u;
// Stats.aidx of a slice with no element yet.
const NO_INDEX: u32 = 0xffffffffu;
fn weight(c: u32) -> f32 {
  if (has(F_WEIGHT)) {
    return Wt[c];
  }
  return 1.0;
}

fn capped(x: f32) -> f32 {
  if (has(F_SOFTCAP)) {
    return soft_cap(x, P.softcap);
  }
  return x;
}

fn capped4(x: vec4<f32>) -> vec4<f32> {
  if (has(F_SOFTCAP)) {
    return soft_cap4(x, P.softcap);
  }
  return x;
}

// ---- prepare -------------------------------------------------------------------------------
// The label scan of label_scan.wgsl over the batch, into META. Its threads stride over the labels
// (and, with F_LINEAR, the classes for W), then merge by a tree. `main` may run it itself (folded
// prepare, P.fold_prep): as prepare_body in its workgroup 0, or serially in one thread (CPU_ROWS).

@compute @workgroup_size(WG)
fn prepare(@builtin(local_invocation_index) lid: u32) {
  prepare_body(lid);
}

fn prepare_body(lid: u32) {
  prep_tree(lid, prepare_slice(lid, WG));
  if (lid == 0u) {
    prepare_write(prep_red[0]);
  }
}

// Rows first, first + step, ... and classes likewise.
fn prepare_slice(first: u32, step: u32) -> Prep {
  var st = prep_empty();
  if (has(F_SPARSE)) {
    for (var i = first; i < P.total_rows; i += step) {
      prep_label(&st, bitcast<i32>(T[P.t_base + i]), P.ignore_index, P.cols);
    }
  } else {
    st.denom = select(0.0, f32(P.total_rows), first == 0u);
    st.kept = select(0u, P.total_rows, first == 0u);
  }
  // W = sum_c w[c] is read only by smoothing's term (F_LINEAR): no loop over the classes
  // otherwise (it would run alone, serially, in a folded prepare).
  if (has(F_LINEAR)) {
    for (var c = first; c < P.cols; c += step) {
      st.wsum += weight(c);
    }
  }
  return st;
}

fn prepare_write(r: Prep) {
  let m = prep_meta(r);
  for (var i = 0u; i < META_WORDS; i++) {
    META[i] = m[i];
  }
}

// ---- rows ----------------------------------------------------------------------------------

struct Stats {
  on: Online,
  az: f32,     // sum_c a'_c·(z'_c - m) (logits, relative to the running max) or sum_c a_c·(-log q̂_c) (probs)
  acc: f32,    // sum_c a'_c over the classes in az (logits): rescales az when m moves
  asum: f32,   // sum_c a'_c (dense logits) or sum_c q_c·g_c (probs, normalising)
  xsum: f32,   // sum_c p_c (probs, normalising)
  amax: f32,
  aidx: u32,
  acat: u32,   // argmax category: CAT_*
  flags: u32,  // ROW_*
}

fn stats_empty() -> Stats {
  return Stats(online_empty(), 0.0, 0.0, 0.0, 0.0, NEG_BIG, NO_INDEX, CAT_FINITE, 0u);
}

fn stats_merge(a: Stats, b: Stats) -> Stats {
  var r = a;
  r.on = online_merge(a.on, b.on);
  // Both linear sums moved to the merged maximum (empty sides have nothing to move).
  var az_a = a.az;
  var az_b = b.az;
  if (a.acc != 0.0) {
    az_a += (a.on.m - r.on.m) * a.acc;
  }
  if (b.acc != 0.0) {
    az_b += (b.on.m - r.on.m) * b.acc;
  }
  r.az = az_a + az_b;
  r.acc = a.acc + b.acc;
  r.asum = a.asum + b.asum;
  r.xsum = a.xsum + b.xsum;
  // argmax: the higher category, then the larger value, then the first index.
  if (b.aidx != NO_INDEX && (a.aidx == NO_INDEX || argmax_before(b, a))) {
    r.amax = b.amax;
    r.aidx = b.aidx;
    r.acat = b.acat;
  }
  r.flags = a.flags | b.flags;
  return r;
}

// Stats as STATS_WORDS words, for subgroup shuffles (row_reduce_subgroup.wgsl) and split rows' PART.

fn stats_words(s: Stats) -> array<u32, STATS_WORDS> {
  return array<u32, STATS_WORDS>(bitcast<u32>(s.on.m), bitcast<u32>(s.on.s), bitcast<u32>(s.az), bitcast<u32>(s.acc),
    bitcast<u32>(s.asum), bitcast<u32>(s.xsum), bitcast<u32>(s.amax), s.aidx, s.acat, s.flags);
}

fn stats_unwords(w: array<u32, STATS_WORDS>) -> Stats {
  return Stats(Online(bitcast<f32>(w[0]), bitcast<f32>(w[1])), bitcast<f32>(w[2]), bitcast<f32>(w[3]),
    bitcast<f32>(w[4]), bitcast<f32>(w[5]), bitcast<f32>(w[6]), w[7], w[8], w[9]);
}

// reduce_row(lid, st) comes from row_reduce_tree.wgsl or row_reduce_subgroup.wgsl.

// Per-class coefficient a_c of -log p_c in the loss, for class c of a row.
// Sparse: (1-e)·w[y]·[c = y] + (e/V)·w[c]. Dense: w[c]·((1-e)·t_c + e/V).
fn coef(c: u32, y: u32, t_row: u32) -> f32 {
  let e = P.smoothing;
  let inv_v = 1.0 / f32(P.cols);
  if (has(F_SPARSE)) {
    var a = e * inv_v * weight(c);
    if (c == y) {
      a += (1.0 - e) * weight(c);
    }
    return a;
  }
  let t = bitcast<f32>(T[t_row + c]);
  return weight(c) * ((1.0 - e) * t + e * inv_v);
}

fn argmax_before(b: Stats, a: Stats) -> bool {
  if (b.acat != a.acat) {
    return b.acat > a.acat;
  }
  if (b.acat == CAT_FINITE && b.amax != a.amax) {
    return b.amax > a.amax;
  }
  return b.aidx < a.aidx;
}

// Elements arrive in increasing c within a thread, so only a strictly better one replaces.
fn track_argmax(st: ptr<function, Stats>, bits: u32, c: u32) {
  var cat = CAT_FINITE;
  if (is_poison(bits)) {
    cat = select(CAT_NAN, CAT_POS_INF, bits == BITS_POS_INF);
  }
  let v = select(NEG_BIG, bitcast<f32>(bits), cat == CAT_FINITE && !is_masked(bits));
  if ((*st).aidx == NO_INDEX || cat > (*st).acat || (cat == CAT_FINITE && (*st).acat == CAT_FINITE && v > (*st).amax)) {
    (*st).amax = v;
    (*st).aidx = c;
    (*st).acat = cat;
  }
}

// Pass 1, logits: softmax statistics and the linear term of the loss.
// The sparse label's own term is added once by the row's leader, so the sum over c carries only
// the smoothing part a'_c = (e/V)·w[c].
// Pass 1 over one slice, four elements at a time (c, c + stride, c + 2·stride, c + 3·stride:
// consecutive threads still read consecutive words). Per group of four: one comparison against
// the running max and at most one rescale, then four exps with no branch; elements past the end,
// masked or poisoned take no part (select, never inf arithmetic).
fn logits_stats(x_row: u32, t_row: u32, y: u32, start: u32, stride: u32, end: u32) -> Stats {
  var st = stats_empty();
  let e = P.smoothing;
  let inv_v = 1.0 / f32(P.cols);
  for (var c = start; c < end; c += 4u * stride) {
    var b: vec4<u32>;
    var inr: vec4<bool>;
    var a = vec4<f32>(0.0);
    for (var k = 0u; k < 4u; k++) {
      let ck = c + k * stride;
      inr[k] = ck < end;
      b[k] = select(BITS_NEG_INF, X[x_row + min(ck, end - 1u)], inr[k]);
      if (has(F_LINEAR) && inr[k]) {
        if (has(F_SPARSE)) {
          a[k] = e * inv_v * weight(ck);
        } else {
          a[k] = coef(ck, y, t_row);
          st.asum += a[k];
        }
      }
      if (has(F_EXTRAS) && inr[k]) {
        track_argmax(&st, b[k], ck);
      }
    }
    let special = (b & vec4<u32>(EXP_MASK)) == vec4<u32>(EXP_MASK);
    let masked = b == vec4<u32>(BITS_NEG_INF);
    if (any(special)) {
      if (any(special & !masked)) {
        st.flags |= ROW_POISON;
      }
      if (any(masked & (a != vec4<f32>(0.0)))) {
        st.flags |= ROW_MASKED;
      }
    }
    let ok = !special;
    if (!any(ok)) {
      continue;
    }
    let z = capped4(bitcast<vec4<f32>>(select(vec4<u32>(0u), b, ok)));
    let zm = select(vec4<f32>(NEG_BIG), z, ok);
    let m4 = max(max(zm.x, zm.y), max(zm.z, zm.w));
    if (st.on.s == 0.0) {
      st.on.m = m4;
    } else if (m4 > st.on.m) {
      st.on.s *= exp_sub(st.on.m, m4);
      // Zero coefficients stay out: 0 times an overflowed difference would be NaN.
      if (st.acc != 0.0) {
        st.az += (st.on.m - m4) * st.acc;
      }
      st.on.m = m4;
    }
    let m = st.on.m;
    let far = z < vec4<f32>(m + EXP_FLOOR);
    let ex = select(exp(z - vec4<f32>(m)), vec4<f32>(0.0), far | !ok);
    st.on.s += (ex.x + ex.y) + (ex.z + ex.w);
    if (has(F_LINEAR)) {
      let live_a = ok & (a != vec4<f32>(0.0));
      let t = select(vec4<f32>(0.0), a * (z - vec4<f32>(m)), live_a);
      st.az += (t.x + t.y) + (t.z + t.w);
      let ta = select(vec4<f32>(0.0), a, live_a);
      st.acc += (ta.x + ta.y) + (ta.z + ta.w);
    }
  }
  return st;
}

// Pass 1, fast form, for calls with neither a linear term (smoothing, dense targets) nor extras
// (the common case: sparse labels, with or without the gradient): only the online max and sum,
// branch-free, for SIMD lanes (SwiftShader runs 4 threads as one; a GPU's warp likewise).
//   1. Eight elements per step, no bounds test inside the loop (full groups; the tail is a
//      second loop): c, c + stride, ..., c + 7·stride.
//   2. m' = max(m, max of the group); s <- s·exp(m - m') + Σ exp(z' - m'), every step (one exp
//      more per eight elements, instead of a data-dependent branch, which SIMD lanes would take
//      apart). z' - m' needs no clamp: with |z| < 2^64 (3.) it does not overflow, and an exp
//      that underflows adds at most a denormal to s >= 1. Measured on SwiftShader: eight a step
//      without the clamp ran the loop 1.6x faster than four a step with it.
//   3. It assumes every |z| < 2^64, so that no difference overflows. The largest magnitude bits
//      seen (one AND and one MAX per element) tell, once per slice, whether that held: if not (a
//      -Infinity mask, NaN, +Infinity or a huge logit anywhere in the row) flag ROW_REDO asks the
//      caller to redo the row with the careful form (logits_stats), whose results it then uses.
//      Measured on SwiftShader ([16384, 100]): per-element tests for specials doubled the loop's time.
const FAST_MAX_BITS: u32 = 0x5f800000u;  // 2^64

// exp(m - m') for m <= m': exactly 1 when the max did not move (no drift over many steps).
fn rescale(m: f32, mn: f32) -> f32 {
  return select(exp(max(m - mn, EXP_FLOOR)), 1.0, mn == m);
}

// Elements i, i + stride, i + 2·stride, i + 3·stride of X (the fast loops' four-wide load; the
// counterpart of store_grad4).
fn load4(i: u32, stride: u32) -> vec4<u32> {
  return vec4<u32>(X[i], X[i + stride], X[i + 2u * stride], X[i + 3u * stride]);
}

fn logits_fast(x_row: u32, start: u32, stride: u32, end: u32) -> Stats {
  var m = NEG_BIG;
  var s = 0.0;
  var pv = vec4<u32>(0u);
  var c = start;
  let s4 = 4u * stride;
  let s7 = 7u * stride;
  if (end > s7) {
    for (; c < end - s7; c += 8u * stride) {
      let i = x_row + c;
      let j = i + s4;
      let b = load4(i, stride);
      let b2 = load4(j, stride);
      pv = max(pv, max(b & vec4<u32>(ABS_MASK), b2 & vec4<u32>(ABS_MASK)));
      let z = capped4(bitcast<vec4<f32>>(b));
      let z2 = capped4(bitcast<vec4<f32>>(b2));
      let zm = max(z, z2);
      let mn = max(m, max(max(zm.x, zm.y), max(zm.z, zm.w)));
      s *= rescale(m, mn);
      let e = exp(z - vec4<f32>(mn)) + exp(z2 - vec4<f32>(mn));
      s += (e.x + e.y) + (e.z + e.w);
      m = mn;
    }
  }
  for (; c < end; c += stride) {
    let b = X[x_row + c];
    pv.x = max(pv.x, b & ABS_MASK);
    let z = capped(bitcast<f32>(b));
    let mn = max(m, z);
    s = s * rescale(m, mn) + exp(max(z - mn, EXP_FLOOR));
    m = mn;
  }
  var st = stats_empty();
  // An empty slice stays empty (s = 0, m = NEG_BIG), as stats_empty.
  if (s > 0.0) {
    st.on = Online(m, s);
  }
  if (max(max(pv.x, pv.y), max(pv.z, pv.w)) >= FAST_MAX_BITS) {
    st.flags = ROW_REDO;
  }
  return st;
}

// Set by thread 0 when a reduced row asks for the careful pass (ROW_REDO); read uniformly.
var<workgroup> redo_row: u32;

// Pass 1 of a row slice [start, end) (every thread its own slice), reduced over the workgroup
// when a workgroup shares the row: the fast form where the call's flags allow it and the row
// holds no special or huge value, else the careful form.
fn slice_stats(lid: u32, x_row: u32, t_row: u32, y: u32, start: u32, stride: u32, end: u32) -> Stats {
  if (has(F_LINEAR) || has(F_EXTRAS)) {
    return reduce_row(lid, logits_stats(x_row, t_row, y, start, stride, end));
  }
  var st = reduce_row(lid, logits_fast(x_row, start, stride, end));
  if (WG_PER_ROW) {
    if (lid == 0u) {
      redo_row = st.flags & ROW_REDO;
    }
    // The same row for every thread: the decision is uniform, so the redo may hold barriers.
    if (workgroupUniformLoad(&redo_row) != 0u) {
      st = reduce_row(lid, logits_stats(x_row, t_row, y, start, stride, end));
      st.flags |= ROW_REDO;  // kept: the gradient takes its careful form too
    }
  } else if ((st.flags & ROW_REDO) != 0u) {
    st = logits_stats(x_row, t_row, y, start, stride, end);  // a thread per row: no reduction
    st.flags |= ROW_REDO;
  }
  return st;
}

// Pass 1 for probabilities: the row sum (for normalising) and the argmax.
fn probs_sum(x_row: u32, start: u32, stride: u32) -> Stats {
  var st = stats_empty();
  for (var c = start; c < P.cols; c += stride) {
    let b = X[x_row + c];
    track_argmax(&st, b, c);
    if (is_poison(b)) {
      st.flags |= ROW_POISON;
    } else {
      st.xsum += bitcast<f32>(b);
    }
  }
  return st;
}

// q_c for probabilities (normalised when asked).
fn prob_q(b: u32, inv_s: f32) -> f32 {
  return bitcast<f32>(b) * inv_s;
}

// d loss / d q_c before the normaliser: -a_c / q̂_c inside the clip, 0 outside.
fn prob_g(q: f32, a: f32) -> f32 {
  if (q > P.eps && q < 1.0 - P.eps) {
    return -a / q;
  }
  return 0.0;
}

// Pass 2 for probabilities: the loss sum_c a_c·(-log q̂_c) and sum_c q_c·g_c.
fn probs_loss(x_row: u32, t_row: u32, y: u32, inv_s: f32, start: u32, stride: u32) -> Stats {
  var st = stats_empty();
  for (var c = start; c < P.cols; c += stride) {
    let a = coef(c, y, t_row);
    if (a == 0.0) {
      continue;
    }
    let q = prob_q(X[x_row + c], inv_s);
    let qc = clamp(q, P.eps, 1.0 - P.eps);
    st.az += a * -log(qc);
    st.asum += q * prob_g(q, a);
  }
  return st;
}

// The gmode of a row whose fast pass saw no special or huge value: the lean form (the other
// modes are common.wgsl's GMODE_*).
const GMODE_CLEAN: u32 = 3u;

// A row's results from pass 1: its loss and what its gradient needs.
struct RowOut {
  loss: u32,    // bits of the row's loss
  gmode: u32,   // GMODE_*
  m: f32,       // row maximum (logits)
  ls: f32,      // ln of the rescaled sum: lse = m + ls
  inv_sum: f32, // 1 / rescaled sum: p_c = exp(z'_c - m) / s
  lse: f32,
  k: f32,       // sum_c a_c + 2·zl·lse (logits)
  corr: f32,    // sum_c q_c·g_c (probs, normalising)
  inv_s: f32,   // 1 / row sum (probs, normalising) or 1
  scale: f32,   // the reduction's and the base's factor for the gradient
}

fn f32_bits(x: f32) -> u32 {
  return bitcast<u32>(x);
}

// Gradient of one element from logits with sparse labels (see the header, step 4):
// g = p_c·K - a_c with p_c = exp(z'_c - m) / s, a_c = (e/V)·w[c] + (1-e)·w[y]·[c = y]; a masked
// class has p_c = 0; times dz'/dz under the soft-cap (not for a masked class), times the scale.
// Four elements at once (c4: their classes).
fn sparse_grad4(b: vec4<u32>, c4: vec4<u32>, y: u32, ro: RowOut) -> vec4<u32> {
  let masked = b == vec4<u32>(BITS_NEG_INF);
  let z = capped4(bitcast<vec4<f32>>(select(b, vec4<u32>(0u), masked)));
  let far = z < vec4<f32>(ro.m + EXP_FLOOR);
  let p = select(exp(z - vec4<f32>(ro.m)), vec4<f32>(0.0), masked | far);
  var w = vec4<f32>(1.0);
  if (has(F_WEIGHT)) {
    w = vec4<f32>(Wt[c4.x], Wt[c4.y], Wt[c4.z], Wt[c4.w]);
  }
  let e = P.smoothing;
  let a = (e / f32(P.cols)) * w + select(vec4<f32>(0.0), (1.0 - e) * w, c4 == vec4<u32>(y));
  var g = p * ro.inv_sum * ro.k - a;
  if (has(F_SOFTCAP)) {
    let r = z / P.softcap;
    g *= select(1.0 - r * r, vec4<f32>(1.0), masked);
  }
  return bitcast<vec4<u32>>(g * ro.scale);
}

// Four gradient values of one step (columns c, c + stride, c + 2·stride, c + 3·stride): over the
// input itself (in place) or into G.
fn store_grad4(i: u32, j: u32, stride: u32, o: vec4<u32>) {
  if (has(F_INPLACE)) {
    X[i] = o.x;
    X[i + stride] = o.y;
    X[i + 2u * stride] = o.z;
    X[i + 3u * stride] = o.w;
  } else {
    G[j] = o.x;
    G[j + stride] = o.y;
    G[j + 2u * stride] = o.z;
    G[j + 3u * stride] = o.w;
  }
}

// The gradient's fast form (logits, sparse labels, a row to write in full): four elements per
// step, then the tail one by one; no per-element branch.
fn write_grad_sparse(x_row: u32, g_row: u32, y: u32, ro: RowOut, start: u32, stride: u32, end: u32) {
  var c = start;
  let s3 = 3u * stride;
  if (end > s3) {
    for (; c < end - s3; c += 4u * stride) {
      let i = x_row + c;
      let c4 = vec4<u32>(c, c + stride, c + 2u * stride, c + s3);
      let o = sparse_grad4(load4(i, stride), c4, y, ro);
      store_grad4(i, g_row + c, stride, o);
    }
  }
  for (; c < end; c += stride) {
    let o = sparse_grad4(vec4<u32>(X[x_row + c]), vec4<u32>(c), y, ro).x;
    if (has(F_INPLACE)) {
      X[x_row + c] = o;
    } else {
      G[g_row + c] = o;
    }
  }
}

// The gradient's lean form, for a row the fast pass found clean (no -Infinity, NaN, +Infinity or
// |z| >= 2^64; sparse labels, no smoothing): a_c is 0 but at the label, so every element is
// g_c = p_c·K·scale (times dz'/dz under the soft-cap), p_c = exp(z'_c - m) / s (eight a step,
// unclamped as in logits_fast: |z| < 2^64 here), with no select per element; then the thread
// whose slice holds the label writes that element again with its -a_y:
// (p_y·K - (1-e)·w[y])·dz'/dz·scale, from the label's logit read before any write (`by`).
fn write_grad_clean(x_row: u32, g_row: u32, y: u32, by: u32, ro: RowOut, start: u32, stride: u32, end: u32) {
  let f = ro.inv_sum * ro.k * ro.scale;
  var c = start;
  let s4 = 4u * stride;
  let s7 = 7u * stride;
  if (end > s7) {
    for (; c < end - s7; c += 8u * stride) {
      let i = x_row + c;
      let j = i + s4;
      let z = capped4(bitcast<vec4<f32>>(load4(i, stride)));
      let z2 = capped4(bitcast<vec4<f32>>(load4(j, stride)));
      var g = exp(z - vec4<f32>(ro.m)) * f;
      var g2 = exp(z2 - vec4<f32>(ro.m)) * f;
      if (has(F_SOFTCAP)) {
        let r = z / P.softcap;
        let r2 = z2 / P.softcap;
        g *= 1.0 - r * r;
        g2 *= 1.0 - r2 * r2;
      }
      store_grad4(i, g_row + c, stride, bitcast<vec4<u32>>(g));
      store_grad4(j, g_row + c + s4, stride, bitcast<vec4<u32>>(g2));
    }
  }
  for (; c < end; c += stride) {
    let z = capped(bitcast<f32>(X[x_row + c]));
    var g = exp(max(z - ro.m, EXP_FLOOR)) * f;
    if (has(F_SOFTCAP)) {
      let r = z / P.softcap;
      g *= 1.0 - r * r;
    }
    if (has(F_INPLACE)) {
      X[x_row + c] = bitcast<u32>(g);
    } else {
      G[g_row + c] = bitcast<u32>(g);
    }
  }
  if (y >= start && y < end && (y - start) % stride == 0u) {
    let z = capped(bitcast<f32>(by));
    var g = exp(max(z - ro.m, EXP_FLOOR)) * ro.inv_sum * ro.k - (1.0 - P.smoothing) * weight(y);
    if (has(F_SOFTCAP)) {
      let r = z / P.softcap;
      g *= 1.0 - r * r;
    }
    if (has(F_INPLACE)) {
      X[x_row + y] = bitcast<u32>(g * ro.scale);
    } else {
      G[g_row + y] = bitcast<u32>(g * ro.scale);
    }
  }
}

// Writes the gradient of one row slice (second read of the row).
fn write_grad(x_row: u32, g_row: u32, t_row: u32, y: u32, by: u32, ro: RowOut, start: u32, stride: u32, end: u32, live: bool) {
  // No barrier below: a thread with nothing to write leaves at once.
  if (!live) {
    return;
  }
  if (ro.gmode == GMODE_CLEAN) {
    write_grad_clean(x_row, g_row, y, by, ro, start, stride, end);
    return;
  }
  if (has(F_SPARSE) && !has(F_PROBS) && ro.gmode == GMODE_WRITE) {
    write_grad_sparse(x_row, g_row, y, ro, start, stride, end);
    return;
  }
  for (var c = start; c < end; c += stride) {
    let b = X[x_row + c];
    var o: u32;
    if (ro.gmode == GMODE_NAN) {
      o = BITS_NAN;
    } else if (ro.gmode == GMODE_ZEROS) {
      o = 0u;
    } else {
      let a = coef(c, y, t_row);
      var g: f32;
      if (has(F_PROBS)) {
        let q = prob_q(b, ro.inv_s);
        g = (prob_g(q, a) - ro.corr) * ro.inv_s;
      } else if (is_masked(b)) {
        g = -a;
      } else {
        let z = capped(bitcast<f32>(b));
        g = exp_sub(z, ro.m) * ro.inv_sum * ro.k - a;
        if (has(F_SOFTCAP)) {
          let r = z / P.softcap;
          g *= 1.0 - r * r;
        }
      }
      o = f32_bits(g * ro.scale);
    }
    if (live) {
      if (has(F_INPLACE)) {
        X[x_row + c] = o;
      } else {
        G[g_row + c] = o;
      }
    }
  }
}

// One row: statistics, loss, extras, gradient. `r` is clamped to a real row so every thread
// of a workgroup walks the same barriers; `live` guards the writes.
// A thread's share of columns [c0, c1): (start, stride, end).
// A thread per row: all of them. A workgroup per row on a GPU (P.slicing 0): every WG-th column
// from c0 + lid, so a warp's loads are coalesced. On a CPU adapter (P.slicing 1): a contiguous
// slice per thread, a multiple of 4 long, which its core's caches and prefetcher stream through
// (measured on SwiftShader: 1.3-1.6x faster reads than the strided form).
fn slice_of(lid: u32, c0: u32, c1: u32) -> vec3<u32> {
  if (!WG_PER_ROW) {
    return vec3<u32>(c0, 1u, c1);
  }
  if (P.slicing == 1u) {
    let span = (((c1 - c0 + WG - 1u) / WG) + 3u) & ~3u;
    let a = min(c0 + lid * span, c1);
    return vec3<u32>(a, 1u, min(a + span, c1));
  }
  return vec3<u32>(c0 + lid, WG, c1);
}

// Columns [c0, c1) of part k of a split row; the whole row when not split.
fn part_range(k: u32) -> vec2<u32> {
  let span = (P.cols + P.split - 1u) / P.split;
  return vec2<u32>(min(k * span, P.cols), min((k + 1u) * span, P.cols));
}

// The label of row r: (label, ignored, out of range).
fn row_label(t_row: u32) -> vec3<u32> {
  if (!has(F_SPARSE)) {
    return vec3<u32>(0u, 0u, 0u);
  }
  let yi = bitcast<i32>(T[t_row]);
  let ignored = yi == P.ignore_index;
  let bad = !ignored && (yi < 0 || u32(yi) >= P.cols);
  return vec3<u32>(select(0u, u32(yi), !ignored && !bad), select(0u, 1u, ignored), select(0u, 1u, bad));
}

fn t_row_of(r: u32) -> u32 {
  return P.t_base + select(r * P.cols, r, has(F_SPARSE));
}

// A row's stats from its parts' stats, merged in part order (deterministic).
fn merged_parts(r: u32) -> Stats {
  var w: array<u32, STATS_WORDS>;
  for (var i = 0u; i < STATS_WORDS; i++) {
    w[i] = PART[(r * P.split) * STATS_WORDS + i];
  }
  var st = stats_unwords(w);
  for (var k = 1u; k < P.split; k++) {
    for (var i = 0u; i < STATS_WORDS; i++) {
      w[i] = PART[(r * P.split + k) * STATS_WORDS + i];
    }
    st = stats_merge(st, stats_unwords(w));
  }
  return st;
}

// One row (or, split, part k of it): statistics, loss, extras, gradient. `r` is clamped to a
// real row so every thread of a workgroup walks the same barriers; `live` guards the writes.
// Split rows (logits only) take their stats from PART, written by the `partial` entry; part 0
// writes the row's loss and extras, every part its own columns of the gradient.
fn do_row(r: u32, live: bool, lid: u32, k: u32) {
  // Probabilities' passes: strided over the whole row.
  var start = 0u;
  var stride = 1u;
  if (WG_PER_ROW) {
    start = lid;
    stride = WG;
  }
  let cols = part_range(k);
  let x_row = P.x_base + r * P.cols;
  let t_row = t_row_of(r);
  let gr = P.row0 + r;
  let lab = row_label(t_row);
  let y = lab.x;
  let ignored = lab.y != 0u;
  let bad_label = lab.z != 0u;

  var ro = RowOut(0u, GMODE_WRITE, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, P.out_scale);
  // META is read only where a folded prepare (P.fold_prep) cannot be: with the gradient or F_LINEAR.
  if (has(F_MEAN) && has(F_GRAD)) {
    ro.scale = P.out_scale / bitcast<f32>(META[0]);
  }
  var st: Stats;
  var loss: f32 = 0.0;
  var all_masked = false;
  // The label's logit is read before the row's barriers: with an in-place gradient, another
  // thread may overwrite it once they are passed. (Split rows never run in place: the host
  // turns splitting off, since other workgroups write this row's columns.)
  let by = X[x_row + y];
  if (!has(F_PROBS)) {
    if (P.split > 1u) {
      st = merged_parts(r);
    } else {
      let sl = slice_of(lid, 0u, P.cols);
      st = slice_stats(lid, x_row, t_row, y, sl.x, sl.y, sl.z);
    }
    all_masked = st.on.s == 0.0;
    // Everything relative to the maximum m (lse - z = (m - z) + ls), so logits near ±3e38 lose
    // nothing to cancellation; sum_c a_c·(lse - z'_c) = (sum_c a_c)·ls - sum_c a_c·(z'_c - m).
    ro.m = st.on.m;
    ro.ls = log_sum(st.on.s);
    ro.inv_sum = 1.0 / st.on.s;
    let lse = ro.m + ro.ls;
    ro.lse = lse;
    let zl = P.zloss * lse * lse;
    if (has(F_SPARSE)) {
      let wy = (1.0 - P.smoothing) * weight(y);
      var e_term = 0.0;  // smoothing > 0 sets F_LINEAR
      if (has(F_LINEAR)) {
        e_term = P.smoothing / f32(P.cols) * bitcast<f32>(META[1]);
      }
      // (1-e)·w[y]·(lse - z'_y) + (e/V)·(W·lse - sum_c w[c]·z'_c) + zl·lse²; a zero-weight label
      // term is 0 even on a masked label (no 0·Infinity).
      let label_term = select(0.0, wy * ((ro.m - capped(bitcast<f32>(by))) + ro.ls), wy != 0.0);
      loss = label_term + e_term * ro.ls - st.az + zl;
      ro.k = wy + e_term + 2.0 * P.zloss * lse;
      if (is_masked(by) && wy != 0.0) {
        st.flags |= ROW_MASKED;
      }
    } else {
      loss = st.asum * ro.ls - st.az + zl;
      ro.k = st.asum + 2.0 * P.zloss * lse;
    }
    ro.loss = f32_bits(loss * P.out_scale);
    if ((st.flags & ROW_MASKED) != 0u || all_masked) {
      ro.loss = BITS_POS_INF;
    }
    if (all_masked) {
      ro.gmode = GMODE_ZEROS;
    }
  } else {
    st = reduce_row(lid, probs_sum(x_row, start, stride));
    if (has(F_NORMALIZE)) {
      ro.inv_s = 1.0 / st.xsum;
    }
    let pl = reduce_row(lid, probs_loss(x_row, t_row, y, ro.inv_s, start, stride));
    ro.corr = select(0.0, pl.asum, has(F_NORMALIZE));
    ro.loss = f32_bits(pl.az * P.out_scale);
  }
  if ((st.flags & ROW_POISON) != 0u || bad_label) {
    ro.loss = BITS_NAN;
    ro.gmode = GMODE_NAN;
  }
  // An ignored row is left out whatever it holds.
  if (ignored) {
    ro.loss = 0u;
    ro.gmode = GMODE_ZEROS;
  }
  // The fast pass saw no special or huge value in the row: the gradient's lean form applies.
  if (!has(F_PROBS) && !has(F_LINEAR) && !has(F_EXTRAS) && ro.gmode == GMODE_WRITE && (st.flags & ROW_REDO) == 0u) {
    ro.gmode = GMODE_CLEAN;
  }
  if (live && lid == 0u && k == 0u) {
    LOSS[gr] = ro.loss;
    if (has(F_EXTRAS)) {
      let poisoned = (st.flags & ROW_POISON) != 0u;
      var lse_bits = select(f32_bits(ro.lse), BITS_NEG_INF, all_masked);
      EXTRA[gr] = select(lse_bits, BITS_NAN, poisoned || has(F_PROBS));
      let am = select(st.aidx, 0u, st.aidx == NO_INDEX);
      EXTRA[P.total_rows + gr] = am;
      EXTRA[2u * P.total_rows + gr] = select(0u, 1u, has(F_SPARSE) && !ignored && !bad_label && am == y);
    }
  }
  if (has(F_GRAD)) {
    let gs = slice_of(lid, cols.x, cols.y);
    write_grad(x_row, P.g_base + r * P.cols, t_row, y, by, ro, gs.x, gs.y, gs.z, live);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  // Folded prepare: one dispatch less per call (a call's fixed cost matters for small shapes).
  // A thread per row on a CPU adapter folds it serially into one thread (the host folds only
  // batches small enough for that): a barrier anywhere in an entry point makes SwiftShader run
  // each subgroup as its own coroutine, which cost 15-30 % of the whole call (measured on
  // [16384, 100] to [256, 32000]).
  if (P.fold_prep == 1u && wid.x == 0u) {
    if (!CPU_ROWS) {
      prepare_body(lid);
    } else if (lid == 0u) {
      prepare_write(prepare_slice(0u, 1u));
    }
  }
  if (P.rows == 0u) {
    return;
  }
  if (WG_PER_ROW) {
    for (var u = wid.x; u < P.rows * P.split; u += nwg.x) {
      do_row(u / P.split, true, lid, u % P.split);
    }
  } else {
    // A thread per row; the loop bound is the same for the whole workgroup.
    for (var r0 = wid.x * WG; r0 < P.rows; r0 += nwg.x * WG) {
      let r = r0 + lid;
      do_row(min(r, P.rows - 1u), r < P.rows, 0u, 0u);
    }
  }
}

// Split rows, first pass: the stats of each (row, part), for `main` to merge. Few long rows
// would otherwise leave most of a GPU idle (8 rows of 128256 classes: 8 workgroups).
@compute @workgroup_size(WG)
fn partial(@builtin(local_invocation_index) lid: u32,
           @builtin(workgroup_id) wid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var u = wid.x; u < P.rows * P.split; u += nwg.x) {
    let r = u / P.split;
    let cols = part_range(u % P.split);
    let t_row = t_row_of(r);
    let sl = slice_of(lid, cols.x, cols.y);
    let st = slice_stats(lid, P.x_base + r * P.cols, t_row, row_label(t_row).x, sl.x, sl.y, sl.z);
    if (lid == 0u) {
      let w = stats_words(st);
      for (var i = 0u; i < STATS_WORDS; i++) {
        PART[u * STATS_WORDS + i] = w[i];
      }
    }
  }
}
