// Batch reduction of per-row (or per-element) losses to one value, in a fixed order so the same
// input gives the same bits on every run (WGSL has no float atomics, and none are needed).
//
// 1. Each of WG threads sums a strided slice with Kahan compensation (part_push).
// 2. A tree merges the WG partial sums (part_tree).
// 3. sum, or mean = sum / denominator, where the denominator is META[0] (sparse cross-entropy:
//    the kept rows' weights) or n. Non-finite inputs are tracked by their bits: any NaN, or both
//    +Infinity and -Infinity, give NaN; otherwise an infinity wins.
// 4. No kept row (META[3] = 0, every row ignored) gives NaN or 0, as the caller chose. Kept rows
//    whose weights sum to 0 give IEEE x/0 (±Infinity, or NaN for 0/0), as PyTorch; written from
//    the bits, since the spec does not promise IEEE division by zero.
// Part, part_push and part_tree come from partial_sum.wgsl; Params, the bindings and MODE_* are
// generated from src/kernels/layouts/reduce.ts.
//
// Pipeline key: WG.

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var p = Part(0.0, 0.0, 0u);
  for (var i = lid; i < P.n; i += WG) {
    part_push(&p, V[i]);
  }
  part_tree(lid, p);
  if (lid == 0u) {
    let r = red[0];
    var total = r.s - r.c;
    var denom = 1.0;
    var empty = false;
    switch P.mode {
      case MODE_MEAN_META: {
        denom = bitcast<f32>(META[0]);
        empty = META[3] == 0u;
      }
      case MODE_MEAN_N: {
        denom = f32(P.n);
        empty = P.n == 0u;
      }
      case MODE_SUM, default: {}
    }
    var o: u32;
    if (part_is_nan(r)) {
      o = BITS_NAN;
    } else if (empty) {
      o = select(BITS_NAN, 0u, P.zero_if_empty != 0u);
    } else if (denom == 0.0) {
      // x/0: the sign of the total (an infinite one included), NaN for 0/0.
      if ((r.flags & PART_POS_INF) != 0u || ((r.flags & PART_NEG_INF) == 0u && total > 0.0)) {
        o = BITS_POS_INF;
      } else if ((r.flags & PART_NEG_INF) != 0u || total < 0.0) {
        o = BITS_NEG_INF;
      } else {
        o = BITS_NAN;
      }
    } else if ((r.flags & PART_POS_INF) != 0u) {
      o = BITS_POS_INF;
    } else if ((r.flags & PART_NEG_INF) != 0u) {
      o = BITS_NEG_INF;
    } else {
      o = bitcast<u32>(total / denom);
    }
    OUT[0] = o;
  }
}
