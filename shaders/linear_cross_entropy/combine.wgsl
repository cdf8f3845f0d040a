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
//   4. F_EXTRAS, into G as [5, N]: labelLogProb = z'_y − lse in nats, as crossEntropy's (0 if ignored), lse (nats),
//      entropy = (ln s − t/s)/ln base (s, t folded like m: t <- e^(m_a − m)·(t_a + (m_a − m)·s_a)
//      + the same for b), argmax (the first split's first largest raw z, or the first NaN /
//      +Infinity class), correct = [argmax = y] (0 if ignored). An ignored row still gets lse,
//      entropy and argmax; a poisoned row NaN for lse, entropy and labelLogProb.
@compute @workgroup_size(WG)
fn combine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  let denom = bitcast<f32>(S[0]);
  let wsum = bitcast<f32>(S[1]);
  let V = f32(P.v);
  let e = P.smoothing;
  let pw = part_words();
  for (var r = gid.x; r < P.n; r += stride) {
    let y = label(r);
    let ro = META_WORDS + r * ROW_WORDS;
    let ignored = y == P.ignore_index;
    if (ignored && !has(F_EXTRAS)) {
      O[r] = 0u;
      S[ro] = 0u;
      S[ro + 1u] = 0u;
      S[ro + 2u] = 0u;
      S[ro + 3u] = 0u;
      continue;
    }
    let bad_label = !ignored && (y < 0 || u32(y) >= P.v);
    var poison = false;
    var on = online_empty();
    var wz = 0.0;
    var zy = 0.0;
    var t = 0.0;
    var amax = 0.0;
    var aidx = 0u;
    if (!bad_label || has(F_EXTRAS)) {
      let base = P.part_base + r * P.nsplit * pw;
      for (var sp = 0u; sp < P.nsplit; sp++) {
        let o = base + sp * pw;
        let b = Online(bitcast<f32>(S[o]), bitcast<f32>(S[o + 1u]));
        if (has(F_EXTRAS)) {
          if (is_poison(S[o])) {
            if (!poison) {
              aidx = S[o + 6u];
            }
          } else if (!poison) {
            let bmax = bitcast<f32>(S[o + 5u]);
            if (sp == 0u || bmax > amax) {
              amax = bmax;
              aidx = S[o + 6u];
            }
            t = entropy_merge(on, t, b, bitcast<f32>(S[o + 4u]));
          }
        }
        if (is_poison(S[o])) {
          poison = true;
        }
        on = online_merge(on, b);
        wz += bitcast<f32>(S[o + 2u]);
      }
      if (!bad_label && !ignored) {
        zy = bitcast<f32>(S[base + (u32(y) / P.split_w) * pw + 3u]);
      }
    }
    let lse = online_lse(on);
    if (has(F_EXTRAS)) {
      var lp = 0u;
      if (!ignored) {
        lp = select(bitcast<u32>(zy - lse), BITS_NAN, poison || bad_label);
      }
      let ent = (log_sum(on.s) - t / on.s) * P.out_scale;
      var x = array<u32, EXTRA_WORDS>(lp, select(bitcast<u32>(lse), BITS_NAN, poison), select(bitcast<u32>(ent), BITS_NAN, poison), aidx,
        select(0u, 1u, !ignored && !bad_label && aidx == u32(y)));
      for (var i = 0u; i < EXTRA_WORDS; i++) {
        G[i * P.n + r] = x[i];
      }
      if (ignored) {
        O[r] = 0u;
        S[ro] = 0u;
        S[ro + 1u] = 0u;
        S[ro + 2u] = 0u;
        S[ro + 3u] = 0u;
        continue;
      }
    }
    if (bad_label || poison) {
      O[r] = BITS_NAN;
      S[ro] = 0u;
      S[ro + 1u] = BITS_NAN;
      S[ro + 2u] = BITS_NAN;
      S[ro + 3u] = BITS_NAN;
      continue;
    }
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

// The entropy sum t of two folds (a: the running one with sum t_a, b: a split's with t_b), taken
// to their common maximum m: t = e^(m_a − m)·(t_a + (m_a − m)·s_a) + e^(m_b − m)·(t_b + (m_b − m)·s_b).
// An empty fold or a vanishing factor adds 0 (its (m_x − m) may be −Infinity).
fn entropy_merge(a: Online, ta: f32, b: Online, tb: f32) -> f32 {
  if (a.s == 0.0) {
    return tb;
  }
  let m = max(a.m, b.m);
  let ea = exp_sub(a.m, m);
  let eb = exp_sub(b.m, m);
  let ra = select(0.0, ea * (ta + (a.m - m) * a.s), ea > 0.0);
  let rb = select(0.0, eb * (tb + (b.m - m) * b.s), eb > 0.0);
  return ra + rb;
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
      let t = bitcast<f32>(G[r * P.gstride + j]) - comp;
      let u = s + t;
      comp = (u - s) - t;
      s = u;
    }
    O[P.v0 + j] = bitcast<u32>(s);
  }
}
