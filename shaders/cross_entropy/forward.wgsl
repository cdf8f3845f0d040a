// Cross-entropy's pass 1, the row's statistics (the header of main.wgsl, step 2): from logits in a
// careful form (logits_stats) and a fast one (logits_fast), picked per row by slice_stats; from
// probabilities, the row sum and the loss (probs_sum, probs_loss).

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
      b[k] = select(BITS_NEG_INF, load_X(x_row + min(ck, end - 1u)), inr[k]);
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
  return vec4<u32>(load_X(i), load_X(i + stride), load_X(i + 2u * stride), load_X(i + 3u * stride));
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
    let b = load_X(x_row + c);
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

// A thread's slice [start, end) in blocks of ROW_BLOCK elements, merged in groups of ROW_GROUP,
// the groups merged into the total (common.wgsl): the fast form, the careful form, and the two
// probability passes. Argmax ties keep the first index, since blocks merge in column order.
fn fast_blocks(x_row: u32, start: u32, stride: u32, end: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < end; g = block_end(g, gspan, end)) {
    let g1 = block_end(g, gspan, end);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, logits_fast(x_row, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}

fn careful_blocks(x_row: u32, t_row: u32, y: u32, start: u32, stride: u32, end: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < end; g = block_end(g, gspan, end)) {
    let g1 = block_end(g, gspan, end);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, logits_stats(x_row, t_row, y, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}

// Set by thread 0 when a reduced row asks for the careful pass (ROW_REDO); read uniformly.
var<workgroup> redo_row: u32;

// Pass 1 of a row slice [start, end) (every thread its own slice), reduced over the workgroup
// when a workgroup shares the row: the fast form where the call's flags allow it and the row
// holds no special or huge value, else the careful form.
fn slice_stats(lid: u32, x_row: u32, t_row: u32, y: u32, start: u32, stride: u32, end: u32) -> Stats {
  if (has(F_LINEAR) || has(F_EXTRAS)) {
    return reduce_row(lid, careful_blocks(x_row, t_row, y, start, stride, end));
  }
  var st = reduce_row(lid, fast_blocks(x_row, start, stride, end));
  if (WG_PER_ROW) {
    if (lid == 0u) {
      redo_row = st.flags & ROW_REDO;
    }
    // The same row for every thread: the decision is uniform, so the redo may hold barriers.
    if (workgroupUniformLoad(&redo_row) != 0u) {
      st = reduce_row(lid, careful_blocks(x_row, t_row, y, start, stride, end));
      st.flags |= ROW_REDO;  // kept: the gradient takes its careful form too
    }
  } else if ((st.flags & ROW_REDO) != 0u) {
    st = careful_blocks(x_row, t_row, y, start, stride, end);  // a thread per row: no reduction
    st.flags |= ROW_REDO;
  }
  return st;
}

// Pass 1 for probabilities: the row sum (for normalising) and the argmax.
fn probs_sum_block(x_row: u32, start: u32, stride: u32, end: u32) -> Stats {
  var st = stats_empty();
  for (var c = start; c < end; c += stride) {
    let b = load_X(x_row + c);
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
fn probs_loss_block(x_row: u32, t_row: u32, y: u32, inv_s: f32, start: u32, stride: u32, end: u32) -> Stats {
  var st = stats_empty();
  for (var c = start; c < end; c += stride) {
    let a = coef(c, y, t_row);
    if (a == 0.0) {
      continue;
    }
    let q = prob_q(load_X(x_row + c), inv_s);
    let qc = clamp(q, P.eps, 1.0 - P.eps);
    st.az += a * -log(qc);
    st.asum += q * prob_g(q, a);
  }
  return st;
}

// The probability passes over a thread's columns of the whole row, in blocks (as fast_blocks).
fn probs_sum(x_row: u32, start: u32, stride: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < P.cols; g = block_end(g, gspan, P.cols)) {
    let g1 = block_end(g, gspan, P.cols);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, probs_sum_block(x_row, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}

fn probs_loss(x_row: u32, t_row: u32, y: u32, inv_s: f32, start: u32, stride: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < P.cols; g = block_end(g, gspan, P.cols)) {
    let g1 = block_end(g, gspan, P.cols);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, probs_loss_block(x_row, t_row, y, inv_s, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}
