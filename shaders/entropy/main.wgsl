// Entropy H(P) and KL divergence KL(P‖Q) over the rows of [rows, V] inputs, fused with the
// gradient with respect to the input. One family: entropy is the KL machinery with no Q side.
//
//   entropy:      P = X (the input: probabilities, or logits through a softmax); no Q.
//   klDivergence: Q = X (the input, the prediction), P = T (the target); each side logits or probs.
//
// Both reduce to one sum per row, D = Σ_{P_c ≠ 0} P_c·(ln P_c − ln Q_c), with ln Q_c = 0 for
// entropy (H = −D) and ln Q_c = ln max(Q_c, ε) for Q given as probabilities.
//
// Entry `main` (the rows). Pass 1, one read of the row (both rows for KL), per thread over a strided
// slice (in blocks of ROW_BLOCK elements merged in groups, common.wgsl), then merged across the workgroup by reduce_row (a tree in workgroup memory, or subgroup
// shuffles; stats_merge is commutative bit for bit, as the subgroup butterfly needs):
//   1. Logits sides keep an online state (m, s): running max m and s = Σ exp(z − m). KL with
//      both sides logits keeps two, (mp, sp) for P and (mq, sq) for Q, in the same pass.
//   2. Per class, a weight wt and a log lt for P (logits: wt = exp(zp − mp), lt = zp − mp;
//      probs: wt = p, lt = ln p) and a log lq for Q (logits: zq − mq; probs: ln max(q, ε);
//      entropy: 0). Sums U = Σ wt·(lt − lq) and W = Σ wt over the classes where P_c ≠ 0.
//   3. The online updates keep U and W relative to the current maxima. A new P max mp' = mp + d
//      scales every wt by exp(−d) and lowers every lt by d:
//        U ← exp(−d)·(U − d·W),  W ← exp(−d)·W,  sp ← exp(−d)·sp.
//      A new Q max mq' = mq + d lowers every lq by d:  U ← U + d·W,  sq ← exp(−d)·sq.
//      The two shifts commute, so a tree merge aligns both sides of both halves and adds.
//   4. With ln P_c = lt − ln sp (logits) and ln Q_c = lq − ln sq (logits), P_c = wt / sp:
//        D = (U + W·(ln sq − ln sp)) / sp,
//      where a probs side takes ln s = 0 and sp = 1. Entropy from logits: H = ln sp − U/sp.
// Pass 2, a second read of the row, writes the gradient (times 1/ln 2 for bits, 1/rows for mean):
//   entropy, probs:  dH/dp_j = −(ln max(p_j, ε) + 1).
//   entropy, logits: dH/dz_j = −p_j·(ln p_j + H), since d ln p_c/dz_j = δ_cj − p_j and Σ p = 1.
//   KL, Q logits:    dD/dz_c = Q_c·Σ_k P_k − P_c (d ln Q_k/dz_c = δ_kc − Q_c; Σ P = 1 for P logits).
//   KL, Q probs:     dD/dq_c = −P_c / max(q_c, ε).
//
// Non-finite values are decided on bits (SwiftShader's inf/NaN arithmetic is not IEEE) and the
// results reproduce the float64 oracle (src/reference/entropy.ts):
//   - NaN anywhere in a row, or +Infinity in a logits row (either side): NaN loss and gradient.
//   - -Infinity logits are masked classes (probability 0). Entropy: an all-masked row has H = 0,
//     gradient 0. KL: an all-masked Q row has loss +Infinity, gradient 0; a masked Q class where
//     P_c ≠ 0 makes the loss +Infinity; an all-masked P row has P = 0 and loss 0.
//   - Probabilities equal to 0 add nothing (0·ln 0 = 0); negative ones (or -Infinity) make the
//     loss NaN (ln of a negative); +Infinity ones make it ±Infinity as IEEE would (tracked as
//     flags, and combined: +Infinity with -Infinity is NaN). The gradient follows the same
//     extended arithmetic (xmul, xadd, xdiv below), so ±Infinity probabilities give the
//     oracle's infinities and NaNs there too.
//   - "P_c ≠ 0" for P from logits is the oracle's float64 test: exp(zp − lse_P) underflows to 0
//     in float64 below −745, so a singular class (Q masked, or Q probability +Infinity) counts
//     only if its P logit is within 745 of lse_P (tracked as the largest such logit). Likewise
//     in the gradient a Q_c that float32 flushes to 0 but float64 keeps counts as non-zero when
//     it multiplies an infinite Σ P (Infinity, not 0·Infinity = NaN).
//   - Logit differences past the float32 range (|z| near 3e38): exp(z − m) is exactly 0 there and
//     a zero weight is never multiplied by its (overflowed) log, so entropy stays finite and
//     exact. A KL whose true value exceeds the float32 range (P mass where Q's logit is ~1e38
//     below its max) has no float32 answer and is outside the contract.
//
// Files: main.wgsl (this: one row, and the entry `main`), sums.wgsl (pass 1), gradient.wgsl
// (pass 2), arith.wgsl (IEEE arithmetic on bits). Params, the bindings and F_* are generated from
// src/kernels/layouts/entropy.ts.
//
// Pipeline key: WG and WG_PER_ROW (a workgroup per row, or a thread per row for short rows), FLAGS
// (the operation and the input kinds), plus the row-reduction variant (tree, or subgroups with
// SG). ε, scales and shapes are in the uniform block.

override WG: u32 = 64u;
override WG_PER_ROW: bool = true;

// One row: sums, loss, gradient. `r` is clamped to a real row so every thread of a workgroup
// walks the same barriers; `live` guards the writes.
fn do_row(r: u32, live: bool, lid: u32) {
  var start = 0u;
  var stride = 1u;
  if (WG_PER_ROW) {
    start = lid;
    stride = WG;
  }
  let x_row = P.x_base + r * P.cols;
  let t_row = P.t_base + r * P.cols;
  let kl = has(F_KL);
  let p_logits = select(!has(F_X_PROBS), !has(F_T_PROBS), kl);
  let q_logits = kl && !has(F_X_PROBS);

  let a = reduce_row(lid, row_sums(x_row, t_row, start, stride));
  var ro = RowOut(GMODE_WRITE, 0.0, 0.0, 0.0, 0u);
  var flags = a.flags;
  var loss: u32;
  // Step 4.
  var d: f32 = 0.0;
  var inv_sp: f32 = 1.0;
  if (p_logits && a.ps > 0.0) {
    ro.lsp = log(a.ps);
    inv_sp = 1.0 / a.ps;
    if ((flags & A_SING) != 0u && (a.mx - a.pm) - ro.lsp > EXP_FLOOR_F64) {
      flags |= select(A_PINF, A_NINF, has(F_X_PROBS));
    }
  }
  if (q_logits && a.qs > 0.0) {
    ro.lsq = log(a.qs);
  }
  if (!p_logits || a.ps > 0.0) {
    d = (a.u + a.w * (ro.lsq - ro.lsp)) * inv_sp;
  }
  // Entropy is −D: its infinities swap sign.
  var pinf = (flags & A_PINF) != 0u;
  var ninf = (flags & A_NINF) != 0u;
  if (!kl) {
    let t = pinf;
    pinf = ninf;
    ninf = t;
    d = -d;
    ro.h = d;
  }
  if ((flags & A_NAN) != 0u || (pinf && ninf)) {
    loss = BITS_NAN;
  } else if (pinf) {
    loss = BITS_POS_INF;
  } else if (ninf) {
    loss = BITS_NEG_INF;
  } else {
    loss = bitcast<u32>(d * P.out_scale);
  }
  if (kl) {
    if (!has(F_T_PROBS)) {
      ro.sum_p = bitcast<u32>(select(0.0, 1.0, a.ps > 0.0));
    } else {
      var sp = bitcast<u32>(a.psum);
      if ((flags & A_PS_PINF) != 0u) {
        sp = xadd(sp, BITS_POS_INF);
      }
      if ((flags & A_PS_NINF) != 0u) {
        sp = xadd(sp, BITS_NEG_INF);
      }
      ro.sum_p = sp;
    }
  } else if (p_logits && a.ps == 0.0) {
    ro.gmode = GMODE_ZEROS;  // entropy of an all-masked row: 0, gradient 0
  }
  if (q_logits && a.qs == 0.0) {
    loss = BITS_POS_INF;  // every Q class masked
    ro.gmode = GMODE_ZEROS;
  }
  if ((flags & A_INVALID) != 0u) {
    loss = BITS_NAN;
    ro.gmode = GMODE_NAN;
  }
  if (live && lid == 0u) {
    LOSS[P.row0 + r] = loss;
  }
  if (has(F_GRAD)) {
    write_grad(x_row, t_row, P.g_base + r * P.cols, a, ro, start, stride, live);
  }
}

// The entry point `main`: row_main.wgsl.
