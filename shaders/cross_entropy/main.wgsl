// Cross-entropy over the rows of a [rows, V] input, fused with its gradient. Its files:
//   prepare.wgsl  entry `prepare` (one workgroup, before the rows): scans the sparse labels once
//                 into META (label_scan.wgsl; W = sum_c w[c] with smoothing only, else 0);
//   main.wgsl     entry `main`, the rows (below);
//   forward.wgsl  step 2, the row's statistics;  gradient.wgsl  step 4;
//   split.wgsl    entry `partial`, for rows split across workgroups;
//   helpers.wgsl  the overrides (pipeline key), Stats, coefficients, argmax, slices;
//   evaluate.wgsl extras' entropy, ln p of the label and top-k hits (a second read, extras only).
// Entry `main` (the rows), from logits z:
//   1. z' = c·tanh(z / c) with soft-cap c, else z' = z.
//   2. One read of the row: online max m and sum s of exp(z' - m), sum_c a_c·z'_c for the
//      smoothing (or dense target) coefficients a_c, argmax; each thread's slice in blocks of
//      ROW_BLOCK elements merged in groups (common.wgsl), then merged in a tree across the workgroup.
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
  let by = load_X(x_row + y);
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
  // Before the gradient: in place, it overwrites the row. Part 0 of a split row reads it whole.
  var ev = stats_empty();
  if (has(F_EXTRAS) && !has(F_PROBS) && k == 0u) {
    ev = eval_row(lid, x_row, by, ro.m);
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
      eval_write(gr, ro, ev, by, all_masked, poisoned, ignored, bad_label);
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
