// Linear cross-entropy's entries `combine` (a row each, after the forward tiles) and `dbias` (a
// column each, per backward chunk).

// ---- combine -------------------------------------------------------------------------------
// A thread per row r, label y, smoothing e, class weights w (W = Σ w = META[1]), z-loss zl:
//   1. Fold the row's splits in split order: (m, s) by online_merge, wz by addition; z'_y from
//      the split holding y. lse = m + ln s.
//   2. loss = (1 − e)·w_y·(lse − z'_y) + (e/V)·(W·lse − Σ_c w_c·z'_c) + zl·lse², times out_scale;
//      crossEntropy's sparse-label loss, written in the sums the forward kept.
//   3. Gradient coefficients, with the reduction's scale k = out_scale·(1/META[0] for 'mean'):
//      d loss / d z'_c = k·(p_c·(Σ_c a_c + 2·zl·lse) − a_c), a_c = (1 − e)·w_y·[c = y] + (e/V)·w_c,
//      Σ_c a_c = (1 − e)·w_y + (e/V)·W; stored as K = k·(Σ a + 2·zl·lse), A = k·e/V, Y = k·(1 − e)·w_y.
//   Ignored row: loss 0, K = A = Y = 0. Label out of range, or NaN / +Infinity among the row's
//   logits: loss NaN, K = A = Y = NaN (the row's gradient is NaN).
@compute @workgroup_size(WG)
fn combine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  let denom = bitcast<f32>(S[0]);
  let wsum = bitcast<f32>(S[1]);
  let V = f32(P.v);
  let e = P.smoothing;
  for (var r = gid.x; r < P.n; r += stride) {
    let y = label(r);
    let ro = META_WORDS + r * ROW_WORDS;
    if (y == P.ignore_index) {
      O[r] = 0u;
      S[ro] = 0u;
      S[ro + 1u] = 0u;
      S[ro + 2u] = 0u;
      S[ro + 3u] = 0u;
      continue;
    }
    var bad = y < 0 || u32(y) >= P.v;
    var on = online_empty();
    var wz = 0.0;
    var zy = 0.0;
    if (!bad) {
      let base = P.part_base + r * P.nsplit * PART_WORDS;
      for (var sp = 0u; sp < P.nsplit; sp++) {
        let o = base + sp * PART_WORDS;
        if (is_poison(S[o])) {
          bad = true;
        }
        on = online_merge(on, Online(bitcast<f32>(S[o]), bitcast<f32>(S[o + 1u])));
        wz += bitcast<f32>(S[o + 2u]);
      }
      zy = bitcast<f32>(S[base + (u32(y) / P.split_w) * PART_WORDS + 3u]);
    }
    if (bad) {
      O[r] = BITS_NAN;
      S[ro] = 0u;
      S[ro + 1u] = BITS_NAN;
      S[ro + 2u] = BITS_NAN;
      S[ro + 3u] = BITS_NAN;
      continue;
    }
    let lse = online_lse(on);
    let wy = weight(u32(y));
    var loss = (1.0 - e) * wy * (lse - zy) + P.zloss * lse * lse;
    if (has(F_LINEAR)) {
      loss += (e / V) * (wsum * lse - wz);
    }
    O[r] = bitcast<u32>(loss * P.out_scale);
    var k = P.out_scale;
    if (has(F_MEAN)) {
      k = k / denom;
    }
    S[ro] = bitcast<u32>(lse);
    S[ro + 1u] = bitcast<u32>(k * ((1.0 - e) * wy + (e / V) * wsum + 2.0 * P.zloss * lse));
    S[ro + 2u] = bitcast<u32>(k * e / V);
    S[ro + 3u] = bitcast<u32>(k * (1.0 - e) * wy);
  }
}

// ---- bias gradient -------------------------------------------------------------------------
// db[v0 + j] = Σ_r G[r, j]: a column per thread, rows in order, Kahan-compensated.
@compute @workgroup_size(WG)
fn dbias(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  for (var j = gid.x; j < P.vc; j += stride) {
    var s = 0.0;
    var comp = 0.0;
    for (var r = 0u; r < P.n; r++) {
      let t = G[r * P.gstride + j] - comp;
      let u = s + t;
      comp = (u - s) - t;
      s = u;
    }
    O[P.v0 + j] = bitcast<u32>(s);
  }
}
