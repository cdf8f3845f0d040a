// Batch reduction of per-row (or per-element) losses to one value, in a fixed order so the same
// input gives the same bits on every run (WGSL has no float atomics, and none are needed).
//
// 1. Each of WG threads sums a strided slice with Kahan compensation.
// 2. A tree merges the WG partial sums.
// 3. sum, or mean = sum / denominator, where the denominator is META[0] (sparse cross-entropy:
//    the kept rows' weights) or n. Non-finite inputs are tracked by their bits: any NaN, or both
//    +Infinity and -Infinity, give NaN; otherwise an infinity wins.
// 4. No kept row (META[3] = 0, every row ignored) gives NaN or 0, as the caller chose. Kept rows
//    whose weights sum to 0 give IEEE x/0 (±Infinity, or NaN for 0/0), as PyTorch; written from
//    the bits, since the spec does not promise IEEE division by zero.
//
// Params, the bindings and MODE_* are generated from src/kernels/reduce.layout.ts.
//
// Pipeline key: WG.

override WG: u32 = 256u;

struct Part {
  s: f32,
  c: f32,
  flags: u32,  // 1: NaN, 2: +Inf, 4: -Inf
}

var<workgroup> red: array<Part, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var p = Part(0.0, 0.0, 0u);
  for (var i = lid; i < P.n; i += WG) {
    let b = V[i];
    if ((b & EXP_MASK) == EXP_MASK) {
      if (b == BITS_POS_INF) {
        p.flags |= 2u;
      } else if (b == BITS_NEG_INF) {
        p.flags |= 4u;
      } else {
        p.flags |= 1u;
      }
      continue;
    }
    let y = bitcast<f32>(b) - p.c;
    let t = p.s + y;
    p.c = (t - p.s) - y;
    p.s = t;
  }
  red[lid] = p;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) {
      let a = red[lid];
      let b = red[lid + k];
      red[lid] = Part(a.s + b.s, a.c + b.c, a.flags | b.flags);
    }
    workgroupBarrier();
  }
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
    if ((r.flags & 1u) != 0u || (r.flags & 6u) == 6u) {
      o = BITS_NAN;
    } else if (empty) {
      o = select(BITS_NAN, 0u, P.zero_if_empty != 0u);
    } else if (denom == 0.0) {
      // x/0: the sign of the total (an infinite one included), NaN for 0/0.
      if ((r.flags & 2u) != 0u || ((r.flags & 4u) == 0u && total > 0.0)) {
        o = BITS_POS_INF;
      } else if ((r.flags & 4u) != 0u || total < 0.0) {
        o = BITS_NEG_INF;
      } else {
        o = BITS_NAN;
      }
    } else if ((r.flags & 2u) != 0u) {
      o = BITS_POS_INF;
    } else if ((r.flags & 4u) != 0u) {
      o = BITS_NEG_INF;
    } else {
      o = bitcast<u32>(total / denom);
    }
    OUT[0] = o;
  }
}
