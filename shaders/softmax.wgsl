// Softmax and log-softmax over the last axis of a [rows, cols] matrix, with a temperature T.
//
// Per row x (read once for the statistics, once more for the output):
// 1. y = x / T.
// 2. Online max m and sum s = sum exp(y - m), per thread over a strided slice, then merged in a
//    tree across the workgroup (entry main_wg) or kept whole by one thread (entry main_thread).
// 3. log-softmax = (y - m) - ln s, softmax = exp(y - m) / s: relative to the maximum, so huge
//    logits lose nothing to cancellation.
// Contract: -Infinity logits are masked (softmax 0, log-softmax -Infinity), so an all-masked
// row gives zeros (log: -Infinity). A row holding NaN or +Infinity gives NaN everywhere.
//
// Pipeline key: entry point and WG. Shapes, T and the output kind live in the uniform buffer.

override WG: u32 = 64u;

struct Params {
  rows: u32,
  cols: u32,
  in_base: u32,   // element offset of row 0 in X
  out_base: u32,  // element offset of row 0 in Y
  inv_temp: f32,
  log_out: u32,   // 1: log-softmax, 0: softmax
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<u32>;

struct RowStats {
  on: Online,
  poison: u32,
}

fn stats_merge(a: RowStats, b: RowStats) -> RowStats {
  return RowStats(online_merge(a.on, b.on), a.poison | b.poison);
}

fn slice_stats(base: u32, start: u32, stride: u32) -> RowStats {
  var st = RowStats(online_empty(), 0u);
  for (var c = start; c < P.cols; c += stride) {
    let b = X[base + c];
    if (is_poison(b)) {
      st.poison = 1u;
    } else if (!is_masked(b)) {
      st.on = online_push(st.on, bitcast<f32>(b) * P.inv_temp);
    }
  }
  return st;
}

fn write_slice(in_row: u32, out_row: u32, st: RowStats, start: u32, stride: u32) {
  let undefined_row = st.poison != 0u;
  // y - lse as (y - m) - ln s: no cancellation between two large numbers.
  let ls = log_sum(st.on.s);
  for (var c = start; c < P.cols; c += stride) {
    let b = X[in_row + c];
    var o: u32;
    if (undefined_row) {
      o = BITS_NAN;
    } else if (is_masked(b)) {
      o = select(0u, BITS_NEG_INF, P.log_out != 0u);
    } else {
      let y = bitcast<f32>(b) * P.inv_temp;
      if (P.log_out != 0u) {
        o = bitcast<u32>((y - st.on.m) - ls);
      } else {
        o = bitcast<u32>(exp_sub(y, st.on.m) / st.on.s);
      }
    }
    Y[out_row + c] = o;
  }
}

var<workgroup> red: array<RowStats, WG>;

@compute @workgroup_size(WG)
fn main_wg(@builtin(local_invocation_index) lid: u32,
           @builtin(workgroup_id) wid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var r = wid.x; r < P.rows; r += nwg.x) {
    let in_row = P.in_base + r * P.cols;
    red[lid] = slice_stats(in_row, lid, WG);
    workgroupBarrier();
    for (var k = WG / 2u; k > 0u; k = k / 2u) {
      if (lid < k) {
        red[lid] = stats_merge(red[lid], red[lid + k]);
      }
      workgroupBarrier();
    }
    let st = red[0];
    workgroupBarrier();
    write_slice(in_row, P.out_base + r * P.cols, st, lid, WG);
  }
}

@compute @workgroup_size(WG)
fn main_thread(@builtin(global_invocation_id) gid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var r = gid.x; r < P.rows; r += nwg.x * WG) {
    let in_row = P.in_base + r * P.cols;
    let st = slice_stats(in_row, 0u, 1u);
    write_slice(in_row, P.out_base + r * P.cols, st, 0u, 1u);
  }
}
