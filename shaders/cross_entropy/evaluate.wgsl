// Cross-entropy's evaluation extras (F_EXTRAS from logits): a second read of the row, once its
// maximum m and sum s are known, for
//   entropy       H = -sum_c p_c·ln p_c = ls - (sum_c e^(z'_c - m)·(z'_c - m)) / s, with ls = ln s
//                 (p_c = e^(z'_c - m) / s, ln p_c = (z'_c - m) - ls, and sum_c p_c = 1);
//   top-k         #{j : z_j ranks above z_y}, on the raw logits (the soft-cap is monotone and
//                 would only add rounding ties): NaN above every number (torch.topk), ties with
//                 the label not counted, so a tie at the k-th counts as a hit (in_top_k);
// and, from the first pass alone, ln p_y = -((m - z'_y) + ls), nats.
// The sums go blockwise (common.wgsl's ROW_BLOCK / ROW_GROUP) and through reduce_row, carried in
// a Stats: az the entropy sum, asum the count (exact in float32 below 2^24 classes).

// A u32 key whose order is the ranking: NaN highest, then +Infinity, the numbers, -Infinity; -0 as +0.
fn rank_key(b: u32) -> u32 {
  if (is_nan_bits(b)) {
    return 0xffffffffu;
  }
  let a = select(b, 0u, b == SIGN);
  return select(a | SIGN, ~a, (a & SIGN) != 0u);
}

fn eval_block(x_row: u32, ky: u32, m: f32, start: u32, stride: u32, end: u32) -> Stats {
  var hz = 0.0;
  var above = 0u;
  for (var c = start; c < end; c += stride) {
    let b = load_X(x_row + c);
    above += select(0u, 1u, rank_key(b) > ky);
    // Masked and poisoned classes stay out (a poisoned row's entropy is NaN anyway).
    if ((b & EXP_MASK) != EXP_MASK) {
      let z = capped(bitcast<f32>(b));
      if (z >= m + EXP_FLOOR) {
        let d = z - m;
        hz += exp(d) * d;
      }
    }
  }
  var st = stats_empty();
  st.az = hz;
  st.asum = f32(above);
  return st;
}

// The row's entropy sum (az) and the count above the label (asum), for every thread of the row.
// Called by every thread of a row's workgroup (it holds reduce_row's barriers).
fn eval_row(lid: u32, x_row: u32, by: u32, m: f32) -> Stats {
  let sl = slice_of(lid, 0u, P.cols);
  let ky = rank_key(by);
  let span = ROW_BLOCK * sl.y;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = sl.x; g < sl.z; g = block_end(g, gspan, sl.z)) {
    let g1 = block_end(g, gspan, sl.z);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, eval_block(x_row, ky, m, b, sl.y, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return reduce_row(lid, total);
}

// EXTRA words 3T.. (ln p_y, nats), 4T.. (entropy, the call's base), 5T.. (top-k hit, P.topk > 0)
// of row gr, T = P.total_rows. Ignored rows: ln p_y 0, no hit; a label out of range: NaN, no hit.
fn eval_write(gr: u32, ro: RowOut, ev: Stats, by: u32, all_masked: bool, poisoned: bool, ignored: bool, bad_label: bool) {
  if (has(F_PROBS)) {
    return;
  }
  let rows = P.total_rows;
  var lp = f32_bits(-((ro.m - capped(bitcast<f32>(by))) + ro.ls));
  lp = select(lp, BITS_NEG_INF, is_masked(by) || all_masked);
  lp = select(lp, BITS_NAN, poisoned || bad_label);
  EXTRA[3u * rows + gr] = select(lp, 0u, ignored);
  let h = f32_bits(max(ro.ls - ev.az * ro.inv_sum, 0.0) * P.out_scale);
  EXTRA[4u * rows + gr] = select(h, BITS_NAN, poisoned || all_masked);
  if (P.topk > 0u) {
    EXTRA[5u * rows + gr] = select(0u, 1u, !ignored && !bad_label && u32(ev.asum) < P.topk);
  }
}
