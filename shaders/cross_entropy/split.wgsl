// Cross-entropy's split rows: few long rows (logits only, not in place) would leave most of a GPU
// idle (8 rows of 128256 classes: 8 workgroups), so each row's columns go to P.split workgroups,
// twice: `partial` writes each (row, part)'s stats to PART, then `main` merges them in part order
// (merged_parts) and writes the loss and its part of the gradient.

// Columns [c0, c1) of part k of a split row; the whole row when not split.
fn part_range(k: u32) -> vec2<u32> {
  let span = (P.cols + P.split - 1u) / P.split;
  return vec2<u32>(min(k * span, P.cols), min((k + 1u) * span, P.cols));
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

// Split rows, first pass: the stats of each (row, part), for `main` to merge.
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
