// Softmax and log-softmax over the last axis of a [rows, cols] matrix, with a temperature T.
//
// Per row x (read once for the statistics, once more for the output), with y = x / T:
// 1. Online max m of x (not of y) and sum s = sum exp((x - m) / T), per thread over a strided
//    slice (in blocks of ROW_BLOCK elements merged in groups, common.wgsl), then merged across
//    the workgroup by reduce_row (WG_PER_ROW), or kept whole by one thread (a thread per row).
// 2. log-softmax = (x - m) / T - ln s, softmax = exp((x - m) / T) / s.
// Dividing the difference, never x itself, keeps a small T exact: x / T overflows for
// x = 1e10, T = 1e-30, while (x - m) / T is 0 at the maximum and only ever negative, so the
// answer is one-hot as it should be. Relative to the maximum, huge logits lose nothing to
// cancellation.
// Contract: -Infinity logits are masked (softmax 0, log-softmax -Infinity), so an all-masked
// row gives zeros (log: -Infinity). A row holding NaN or +Infinity gives NaN everywhere.
//
// Pipeline key: WG, WG_PER_ROW (a workgroup per row, or a thread per row for short rows), LOG_OUT
// and the row reduction (workgroup tree or subgroups). Shapes and T live in the uniform block
// (Params and the bindings are generated from src/kernels/layouts/softmax.ts).

override WG: u32 = 64u;
override WG_PER_ROW: bool = true;
// Log-softmax or softmax, fixed when the pipeline is built (no branch in the write loop).
override LOG_OUT: bool = false;

struct Stats {
  on: Online,
  poison: u32,
}

// exp((a - b) / T) for a <= b, never overflowing: the halves' difference is finite for any
// two finite floats, and it is compared with the floor before the division can overflow.
fn exp_diff_t(a: f32, b: f32) -> f32 {
  let h = 0.5 * a - 0.5 * b;
  if (h < (0.5 * EXP_FLOOR) * P.temp) {
    return 0.0;
  }
  return exp(2.0 * (h / P.temp));
}

// (x - m) / T for x <= m, without overflow in x - m (-Infinity where the quotient is).
fn diff_t(x: f32, m: f32) -> f32 {
  return 2.0 * ((0.5 * x - 0.5 * m) / P.temp);
}

// The online max and sum of common.wgsl, with m in x's units and the sum in y's.
fn online_push_t(st: Online, x: f32) -> Online {
  if (st.s == 0.0) {
    return Online(x, 1.0);
  }
  if (x > st.m) {
    return Online(x, st.s * exp_diff_t(st.m, x) + 1.0);
  }
  return Online(st.m, st.s + exp_diff_t(x, st.m));
}

fn online_merge_t(a: Online, b: Online) -> Online {
  if (a.s == 0.0) {
    return b;
  }
  if (b.s == 0.0) {
    return a;
  }
  let m = max(a.m, b.m);
  return Online(m, a.s * exp_diff_t(a.m, m) + b.s * exp_diff_t(b.m, m));
}

fn stats_merge(a: Stats, b: Stats) -> Stats {
  return Stats(online_merge_t(a.on, b.on), a.poison | b.poison);
}

const STATS_WORDS: u32 = 3u;

fn stats_words(s: Stats) -> array<u32, STATS_WORDS> {
  return array<u32, STATS_WORDS>(bitcast<u32>(s.on.m), bitcast<u32>(s.on.s), s.poison);
}

fn stats_unwords(w: array<u32, STATS_WORDS>) -> Stats {
  return Stats(Online(bitcast<f32>(w[0]), bitcast<f32>(w[1])), w[2]);
}

fn block_stats(base: u32, start: u32, stride: u32, end: u32) -> Stats {
  var st = Stats(online_empty(), 0u);
  for (var c = start; c < end; c += stride) {
    let b = load_X(base + c);
    if (is_poison(b)) {
      st.poison = 1u;
    } else if (!is_masked(b)) {
      st.on = online_push_t(st.on, bitcast<f32>(b));
    }
  }
  return st;
}

// Step 2 over a thread's columns start, start + stride, ...: in blocks merged in groups merged
// into the total (common.wgsl, ROW_BLOCK).
fn slice_stats(base: u32, start: u32, stride: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = Stats(online_empty(), 0u);
  for (var g = start; g < P.cols; g = block_end(g, gspan, P.cols)) {
    let g1 = block_end(g, gspan, P.cols);
    var grp = Stats(online_empty(), 0u);
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, block_stats(base, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}

fn write_slice(in_row: u32, out_row: u32, st: Stats, start: u32, stride: u32, live: bool) {
  let undefined_row = st.poison != 0u;
  // y - lse as (x - m) / T - ln s: no cancellation between two large numbers.
  let ls = log_sum(st.on.s);
  for (var c = start; c < P.cols; c += stride) {
    let b = load_X(in_row + c);
    var o: u32;
    if (undefined_row) {
      o = BITS_NAN;
    } else if (is_masked(b)) {
      o = select(0u, BITS_NEG_INF, LOG_OUT);
    } else {
      let x = bitcast<f32>(b);
      if (LOG_OUT) {
        o = bitcast<u32>(diff_t(x, st.on.m) - ls);
      } else {
        o = bitcast<u32>(exp_diff_t(x, st.on.m) / st.on.s);
      }
    }
    if (live) {
      Y[out_row + c] = o;
    }
  }
}

// reduce_row(lid, st) comes from row_reduce_tree.wgsl or row_reduce_subgroup.wgsl.

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  if (WG_PER_ROW) {
    for (var r = wid.x; r < P.rows; r += nwg.x) {
      let in_row = P.in_base + r * P.cols;
      let st = reduce_row(lid, slice_stats(in_row, lid, WG));
      write_slice(in_row, P.out_base + r * P.cols, st, lid, WG, true);
    }
  } else {
    // A thread per row; the loop bound is the same for the whole workgroup.
    for (var r0 = wid.x * WG; r0 < P.rows; r0 += nwg.x * WG) {
      let r = min(r0 + lid, P.rows - 1u);
      let in_row = P.in_base + r * P.cols;
      let st = slice_stats(in_row, 0u, 1u);
      write_slice(in_row, P.out_base + r * P.cols, st, 0u, 1u, r0 + lid < P.rows);
    }
  }
}
