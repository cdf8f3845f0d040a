// Linear cross-entropy: loss and gradients of a classifier layer, from hidden states H [N, D], the
// classifier W [V, D], an optional bias b [V] and sparse labels y [N], without ever forming the
// N×V logits. z'_{rc} = cap(H_r·W_c + b_c); cap(x) = s·tanh(x/s) with soft-cap s, else x.
//
// Scratch S (one buffer): S[0..4) META, then ROW (4 words per row: lse, K, A, Y), then PART
// (4 words per (row, vocabulary split): m, sum, wz, z_y).
// Entries, in the order the host dispatches them:
//   prepare  (1 workgroup)  META[0] = Σ w[y] over kept rows (the mean's denominator),
//                           META[1] = Σ_c w[c], META[2] = labels outside [0, V) not ignored,
//                           META[3] = kept rows (u32; reduce.wgsl tells an all-ignored batch by it).
//   tile, MODE 0 (forward)  per (32-row block, vocabulary split): logit tiles 32×32, staged over
//                           D in workgroup memory, each folded into the row's running
//                           (max m, Σ exp(z' − m), Σ_c w_c·z'_c, z'_y) → PART.
//   combine  (a row each)   folds the row's splits in split order (deterministic), then loss and
//                           the gradient coefficients → ROW, LOSS.
//   reduce   (reduce.wgsl)  'sum' / 'mean' of LOSS.
//   per vocabulary chunk [v0, v0 + vc), with grad:
//     tile, MODE 1          G[r, j] = d loss / d z_{r, v0+j}, recomputed tile by tile (chunk only)
//     tile, MODE 2          dH += G·W[v0 : v0+vc]          (dH: a [N, D] output block per tile)
//     tile, MODE 3          dW[v0 : v0+vc] = Gᵀ·H          (each element written once)
//     dbias                 db[v0 + j] = Σ_r G[r, j]       (Kahan, a column per thread)
// The tile entry has two forms of the same math: staged (workgroup memory, 32×32 tiles per
// workgroup; what a GPU runs) and DIRECT (a thread's 4×4 block read straight from the buffers, no
// barrier; what a CPU adapter runs). Both are tested on every adapter.
// Every output element is written by one invocation, in a fixed order: the same input gives the
// same bits on every run. No float atomics.
// Non-finite values: NaN or +Infinity among a row's logits (from NaN in hidden, weight or bias) is
// seen by its bits; that row's loss is NaN and its gradient coefficients NaN, so its dH row and,
// through it, dW and db are NaN, as the float64 chain gives. An ignored row stays 0.
//
// Pipeline key: entry, MODE and DIRECT (tile only) and FLAGS (F_*). Shapes, offsets and option
// values are in the uniform block, so one pipeline serves every shape. Params, the bindings, F_*,
// WG, TILE, TM and the scratch word counts are generated from
// src/kernels/linear-cross-entropy.layout.ts.

override MODE: u32 = 0u;
// Direct tiles (CPU adapters): each thread computes its 4×4 block straight from the storage
// buffers, with no workgroup memory and no barrier (why and when: directTiles in
// src/kernels/launch.ts).
override DIRECT: bool = false;

const BM: u32 = TILE;
const BN: u32 = TILE;
const BK: u32 = 16u;        // reduction depth staged per step: 2 × 16 × 32 f32 = 4 KiB
// The label of a row past the batch: no class.
const NO_CLASS: i32 = -1;

fn weight(c: u32) -> f32 {
  if (has(F_WEIGHT)) {
    return CW[c];
  }
  return 1.0;
}

fn label(r: u32) -> i32 {
  return L[P.l_base + r];
}

// z'_{rc} from the dot product acc = H_r·W_c.
fn logit(acc: f32, c: u32) -> f32 {
  var z = acc;
  if (has(F_BIAS)) {
    z += Bv[P.b_base + c];
  }
  if (has(F_SOFTCAP)) {
    z = soft_cap(z, P.softcap);
  }
  return z;
}

// ---- prepare -------------------------------------------------------------------------------
// One workgroup: label_scan.wgsl's scan into META (S[0..META_WORDS)).

@compute @workgroup_size(WG)
fn prepare(@builtin(local_invocation_index) lid: u32) {
  var st = prep_empty();
  for (var i = lid; i < P.n; i += WG) {
    prep_label(&st, label(i), P.ignore_index, P.v);
  }
  for (var c = lid; c < P.v; c += WG) {
    st.wsum += weight(c);
  }
  prep_tree(lid, st);
  if (lid == 0u) {
    let m = prep_meta(prep_red[0]);
    for (var i = 0u; i < META_WORDS; i++) {
      S[i] = m[i];
    }
  }
}

// ---- tiles ---------------------------------------------------------------------------------
// One 32×32 tile of C = A·B over a reduction of length K, in four roles (MODE):
//   MODE 0, 1: A = H [N, D], B = Wᵀ (columns are classes), K = D: the logits.
//   MODE 2:    A = G [N, vc], B = W[v0 : v0+vc] [vc, D], K = vc: a chunk's share of dH.
//   MODE 3:    A = Gᵀ [vc, N], B = H [N, D], K = N: the chunk's rows of dW.
// 1. For each step of BK along K, the 64 threads stage A's 32×BK and B's BK×32 slices in
//    workgroup memory (zeros outside the matrix), reading along each matrix's contiguous axis.
// 2. Each thread accumulates its 4×4 outputs in f32 over the staged slice.

var<workgroup> As: array<f32, BK * BM>;  // As[k·BM + i]
var<workgroup> Bs: array<f32, BK * BN>;  // Bs[k·BN + j]
var<workgroup> Zs: array<f32, BM * BN>;  // MODE 0: the logit tile, for the per-row fold

fn dim_m() -> u32 {
  if (MODE == 3u) {
    return P.vc;
  }
  return P.n;
}
fn dim_n() -> u32 {
  if (MODE == 0u) {
    return P.v;
  }
  if (MODE == 1u) {
    return P.vc;
  }
  return P.d;
}
fn dim_k() -> u32 {
  if (MODE == 2u) {
    return P.vc;
  }
  if (MODE == 3u) {
    return P.n;
  }
  return P.d;
}

fn load_a(i: u32, k: u32) -> f32 {
  if (MODE == 2u) {
    return G[i * P.gstride + k];
  }
  if (MODE == 3u) {
    return G[k * P.gstride + i];
  }
  return H[P.h_base + i * P.d + k];
}

fn load_b(k: u32, j: u32) -> f32 {
  if (MODE == 0u) {
    return Wm[P.w_base + j * P.d + k];
  }
  if (MODE == 1u) {
    return Wm[P.w_base + (P.v0 + j) * P.d + k];
  }
  if (MODE == 2u) {
    return Wm[P.w_base + (P.v0 + k) * P.d + j];
  }
  // dW = Gᵀ·H: an ignored row adds exactly nothing, even if its hidden state holds NaN or Inf
  // (0 · NaN would be NaN).
  if (label(k) == P.ignore_index) {
    return 0.0;
  }
  return H[P.h_base + k * P.d + j];
}

fn mm_tile(i0: u32, j0: u32, lid: u32) -> array<f32, 16> {
  let M = dim_m();
  let N = dim_n();
  let K = dim_k();
  let tx = lid % 8u;
  let ty = lid / 8u;
  var acc = array<f32, 16>();  // explicit zeros: a bare declaration in a loop kept the last iteration's values on SwiftShader
  for (var k0 = 0u; k0 < K; k0 += BK) {
    for (var e = lid; e < BK * BM; e += WG) {
      // A is contiguous along k except in MODE 3 (Gᵀ).
      var ii = e / BK;
      var kk = e % BK;
      if (MODE == 3u) {
        ii = e % BM;
        kk = e / BM;
      }
      var a = 0.0;
      if (i0 + ii < M && k0 + kk < K) {
        a = load_a(i0 + ii, k0 + kk);
      }
      As[kk * BM + ii] = a;
      // B is contiguous along k for the logits (rows of W), along j otherwise.
      var jj = e % BN;
      var kb = e / BN;
      if (MODE <= 1u) {
        jj = e / BK;
        kb = e % BK;
      }
      var b = 0.0;
      if (j0 + jj < N && k0 + kb < K) {
        b = load_b(k0 + kb, j0 + jj);
      }
      Bs[kb * BN + jj] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var m = 0u; m < TM; m++) {
        a[m] = As[kk * BM + ty + 8u * m];
        b[m] = Bs[kk * BN + tx + 8u * m];
      }
      for (var m = 0u; m < TM; m++) {
        for (var q = 0u; q < TM; q++) {
          acc[m * TM + q] = fma(a[m], b[q], acc[m * TM + q]);
        }
      }
    }
    workgroupBarrier();
  }
  return acc;
}

// Forward fold of one row (thread lid < BM owns row i0 + lid of the task).
struct Fold {
  on: Online,
  wz: f32,     // Σ_c w_c·z'_c over the split
  zy: f32,     // z'_y when the label falls in the split
  poison: bool,
}

// MODE 0: tasks are (row block, split); each loops over the split's 32-class tiles.
//   1. z' = cap(H_r·W_c + b_c) for the tile (mm_tile), written to Zs.
//   2. The row's owner folds its 32 values: the online max/sum (common.wgsl's online_push:
//      s <- s·exp(m - x) + 1 for a new maximum x, else s <- s + exp(x - m)), Σ w_c·z'_c, z'_y;
//      NaN / +Infinity is remembered by its bits.
//   3. At the split's end: PART[row, split] = (m, s, wz, z'_y), m as NaN bits for a poisoned row.
// MODE 1: tasks are tiles of the chunk; with the row's lse, K, A, Y from combine and p = exp(z' − lse):
//   G[r, j] = (p·K − A·w_c − [c = y]·Y)·cap'(z),  cap' = 1 − (z'/s)² (1 without a soft-cap),
//   i.e. the scaled softmax − target of crossEntropy, chained through the cap. Ignored rows have
//   K = A = Y = 0, hence 0.
// MODE 2: dH[r, :] (+)= the tile of G·W_chunk.   MODE 3: dW[v0 + i, :] = the tile of Gᵀ·H.
@compute @workgroup_size(WG)
fn tile(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wgid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  if (DIRECT) {
    tile_direct(wgid.x * WG + lid, nwg.x * WG);
    return;
  }
  let M = dim_m();
  let N = dim_n();
  let mBlocks = (M + BM - 1u) / BM;
  var nBlocks = (N + BN - 1u) / BN;
  if (MODE == 0u) {
    nBlocks = P.nsplit;
  }
  let tasks = mBlocks * nBlocks;
  let tx = lid % 8u;
  let ty = lid / 8u;
  for (var t = wgid.x; t < tasks; t += nwg.x) {
    let i0 = (t / nBlocks) * BM;
    if (MODE == 0u) {
      let sp = t % nBlocks;
      let row = i0 + lid;
      var f = Fold(online_empty(), 0.0, 0.0, false);
      var y = NO_CLASS;
      if (lid < BM && row < P.n) {
        y = label(row);
      }
      let c_end = min(P.v, (sp + 1u) * P.split_w);
      for (var j0 = sp * P.split_w; j0 < c_end; j0 += BN) {
        let acc = mm_tile(i0, j0, lid);
        for (var m = 0u; m < TM; m++) {
          for (var q = 0u; q < TM; q++) {
            let c = j0 + tx + 8u * q;
            var z = 0.0;
            if (c < P.v) {
              z = logit(acc[m * TM + q], c);
            }
            Zs[(ty + 8u * m) * BN + tx + 8u * q] = z;
          }
        }
        workgroupBarrier();
        if (lid < BM && row < P.n) {
          let cols = min(BN, c_end - j0);
          for (var j = 0u; j < cols; j++) {
            f = fold_push(f, Zs[lid * BN + j], j0 + j, y);
          }
        }
        workgroupBarrier();
      }
      if (lid < BM && row < P.n) {
        write_part(row, sp, f);
      }
      continue;
    }
    let j0 = (t % nBlocks) * BN;
    let acc = mm_tile(i0, j0, lid);
    for (var m = 0u; m < TM; m++) {
      for (var q = 0u; q < TM; q++) {
        emit(i0 + ty + 8u * m, j0 + tx + 8u * q, acc[m * TM + q]);
      }
    }
  }
}

// The tile entry for CPU adapters (DIRECT): a task is a thread's 4×4 block (MODE 0: 4 rows × a
// whole split, 4 classes at a time), the same math as above.
fn tile_direct(gid: u32, stride: u32) {
  let M = dim_m();
  let N = dim_n();
  let mGroups = (M + TM - 1u) / TM;
  if (MODE == 0u) {
    let tasks = mGroups * P.nsplit;
    for (var t = gid; t < tasks; t += stride) {
      let i0 = (t / P.nsplit) * TM;
      let sp = t % P.nsplit;
      var f: array<Fold, 4>;
      var y: array<i32, 4>;
      for (var m = 0u; m < TM; m++) {
        f[m] = Fold(online_empty(), 0.0, 0.0, false);
        y[m] = NO_CLASS;
        if (i0 + m < P.n) {
          y[m] = label(i0 + m);
        }
      }
      let c_end = min(P.v, (sp + 1u) * P.split_w);
      for (var j0 = sp * P.split_w; j0 < c_end; j0 += TM) {
        let acc = mm_direct(i0, j0);
        for (var q = 0u; q < TM; q++) {
          let c = j0 + q;
          if (c >= c_end) {
            break;
          }
          for (var m = 0u; m < TM; m++) {
            f[m] = fold_push(f[m], logit(acc[m * TM + q], c), c, y[m]);
          }
        }
      }
      for (var m = 0u; m < TM; m++) {
        if (i0 + m < P.n) {
          write_part(i0 + m, sp, f[m]);
        }
      }
    }
    return;
  }
  let nGroups = (N + TM - 1u) / TM;
  let tasks = mGroups * nGroups;
  for (var t = gid; t < tasks; t += stride) {
    let i0 = (t / nGroups) * TM;
    let j0 = (t % nGroups) * TM;
    let acc = mm_direct(i0, j0);
    for (var m = 0u; m < TM; m++) {
      for (var q = 0u; q < TM; q++) {
        emit(i0 + m, j0 + q, acc[m * TM + q]);
      }
    }
  }
}

// C[i0 .. i0+4, j0 .. j0+4] from the storage buffers; rows and columns past the matrix are
// clamped to its last one (their results are not stored).
fn mm_direct(i0: u32, j0: u32) -> array<f32, 16> {
  let K = dim_k();
  var ii: array<u32, 4>;
  var jj: array<u32, 4>;
  for (var m = 0u; m < TM; m++) {
    ii[m] = min(i0 + m, dim_m() - 1u);
    jj[m] = min(j0 + m, dim_n() - 1u);
  }
  var acc = array<f32, 16>();  // explicit zeros: a bare declaration in a loop kept the last iteration's values on SwiftShader
  for (var k = 0u; k < K; k++) {
    var a: array<f32, 4>;
    var b: array<f32, 4>;
    for (var m = 0u; m < TM; m++) {
      a[m] = load_a(ii[m], k);
      b[m] = load_b(k, jj[m]);
    }
    for (var m = 0u; m < TM; m++) {
      for (var q = 0u; q < TM; q++) {
        acc[m * TM + q] = fma(a[m], b[q], acc[m * TM + q]);
      }
    }
  }
  return acc;
}

// MODE 0, step 2: one logit z' of class c into a row's fold (label y).
fn fold_push(f: Fold, z: f32, c: u32, y: i32) -> Fold {
  var r = f;
  if (is_poison(bitcast<u32>(z))) {
    r.poison = true;
    return r;
  }
  r.on = online_push(r.on, z);
  if (has(F_LINEAR)) {
    r.wz += weight(c) * z;
  }
  if (i32(c) == y) {
    r.zy = z;
  }
  return r;
}

// MODE 0, step 3.
fn write_part(row: u32, sp: u32, f: Fold) {
  let o = P.part_base + (row * P.nsplit + sp) * PART_WORDS;
  S[o] = select(bitcast<u32>(f.on.m), BITS_NAN, f.poison);
  S[o + 1u] = bitcast<u32>(f.on.s);
  S[o + 2u] = bitcast<u32>(f.wz);
  S[o + 3u] = bitcast<u32>(f.zy);
}

// MODES 1–3: stores C[i, j] = v (i < M, j < N checked here).
fn emit(i: u32, j: u32, v: f32) {
  if (i >= dim_m() || j >= dim_n()) {
    return;
  }
  if (MODE == 1u) {
    // An ignored row's gradient is 0, not 0 · exp(z): its logits may be NaN or overflow exp.
    if (label(i) == P.ignore_index) {
      G[i * P.gstride + j] = 0.0;
      return;
    }
    let ro = META_WORDS + i * ROW_WORDS;
    let c = P.v0 + j;
    let z = logit(v, c);
    var g = exp_sub(z, bitcast<f32>(S[ro])) * bitcast<f32>(S[ro + 1u]) - bitcast<f32>(S[ro + 2u]) * weight(c);
    if (i32(c) == label(i)) {
      g -= bitcast<f32>(S[ro + 3u]);
    }
    if (has(F_SOFTCAP)) {
      let u = z / P.softcap;
      g *= 1.0 - u * u;
    }
    G[i * P.gstride + j] = g;
  } else if (MODE == 2u) {
    let o = i * P.d + j;
    var r = v;
    if (P.accumulate != 0u) {
      r += bitcast<f32>(O[o]);
    }
    O[o] = bitcast<u32>(r);
  } else {
    O[(P.v0 + i) * P.d + j] = bitcast<u32>(v);
  }
}

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
