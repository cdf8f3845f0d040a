// The streaming evaluator's per-batch step: one workgroup adds a batch's kept rows into the
// running sums in ACC, in a fixed order (no atomics: the same batches give the same bits).
//   1. Thread t takes rows t, t + WG, ...: Σ -ln p_y and Σ H as two-floats (hi + lo, TwoSum),
//      the counts as u32.
//   2. A tree over the workgroup merges the threads' sums in a fixed order.
//   3. Thread 0 adds the batch into ACC: the float sums as two-floats, the counts as 64 bits.
// Two-floats keep ~44 bits: a thousand batches of thousands of rows sum to float32 precision of
// the exact total, where a float32 running sum would drift by ~n·2^-24.
// Values that are not numbers stay out of the sums and set a flag instead (NaN, +Infinity), so
// neither the TwoSum nor an implementation's no-NaN assumptions see them.
// ACC words: 0-1 Σ -ln p_y (hi, lo), 2-3 Σ H (hi, lo), 4-5 tokens (lo, hi), 6-7 argmax hits,
// 8-9 top-k hits, 10-11 labels out of range, FLAGS_WORD: NLL_NAN | NLL_INF | ENT_NAN.

override WG: u32 = 64u;

var<workgroup> fsum: array<vec4<f32>, WG>;
var<workgroup> csum: array<vec4<u32>, WG>;
var<workgroup> fl: array<u32, WG>;

fn is_special(x: f32) -> bool {
  return (bitcast<u32>(x) & EXP_MASK) == EXP_MASK;
}

// (hi, lo) + b, with the rounding error of hi + b kept in lo (Knuth's TwoSum), then renormalised.
fn two_sum(a: vec2<f32>, b: f32) -> vec2<f32> {
  let s = a.x + b;
  if (is_special(s)) {
    return vec2<f32>(s, 0.0);
  }
  let bp = s - a.x;
  let e = (a.x - (s - bp)) + (b - bp);
  let lo = a.y + e;
  let hi = s + lo;
  return vec2<f32>(hi, lo - (hi - s));
}

fn two_add(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return two_sum(two_sum(a, b.x), b.y);
}

fn merge4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(two_add(a.xy, b.xy), two_add(a.zw, b.zw));
}

// A 64-bit count (lo, hi) at ACC[i], plus c.
fn add_count(i: u32, c: u32) {
  let lo = ACC[i] + c;
  ACC[i] = lo;
  ACC[i + 1u] += select(0u, 1u, lo < c);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var f = vec4<f32>(0.0);
  var c = vec4<u32>(0u);
  var flags = 0u;
  for (var r = lid; r < P.rows; r += WG) {
    let y = bitcast<i32>(T[P.t_base + r]);
    if (y == P.ignore_index) {
      continue;
    }
    if (y < 0 || u32(y) >= P.cols) {
      c.w += 1u;
      continue;
    }
    c.x += 1u;
    c.y += CORRECT[P.c_base + r];
    c.z += HIT[P.h_base + r];
    let lb = LOGP[P.l_base + r];
    if (is_nan_bits(lb)) {
      flags |= NLL_NAN;
    } else if (lb == BITS_NEG_INF) {
      flags |= NLL_INF;
    } else {
      f = vec4<f32>(two_sum(f.xy, -bitcast<f32>(lb)), f.zw);
    }
    let eb = ENT[P.e_base + r];
    if (is_nan_bits(eb) || is_inf_bits(eb)) {
      flags |= ENT_NAN;
    } else {
      f = vec4<f32>(f.xy, two_sum(f.zw, bitcast<f32>(eb)));
    }
  }
  fsum[lid] = f;
  csum[lid] = c;
  fl[lid] = flags;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) {
      fsum[lid] = merge4(fsum[lid], fsum[lid + k]);
      csum[lid] += csum[lid + k];
      fl[lid] |= fl[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let acc = bitcast<vec4<f32>>(vec4<u32>(ACC[0], ACC[1], ACC[2], ACC[3]));
    let sum = bitcast<vec4<u32>>(merge4(acc, fsum[0]));
    for (var i = 0u; i < 4u; i++) {
      ACC[i] = sum[i];
    }
    let n = csum[0];
    add_count(4u, n.x);
    add_count(6u, n.y);
    add_count(8u, n.z);
    add_count(10u, n.w);
    ACC[FLAGS_WORD] |= fl[0];
  }
}
