// Linear cross-entropy's matrix products: one tile of C = A·B in the role MODE gives it, staged
// through workgroup memory (mm_tile, 32×32 per workgroup) or read straight from the buffers
// (mm_direct, a thread's 4×4 block; DIRECT).

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
var<workgroup> live_wg: u32;               // F_FILTER, MODES 2, 3: the current tile's mask word

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
    return bitcast<f32>(G[i * P.gstride + k]);
  }
  if (MODE == 3u) {
    return bitcast<f32>(G[k * P.gstride + i]);
  }
  return bitcast<f32>(load_H(P.h_base + i * P.d + k));
}

fn load_b(k: u32, j: u32) -> f32 {
  if (MODE == 0u) {
    return bitcast<f32>(load_Wm(P.w_base + j * P.d + k));
  }
  if (MODE == 1u) {
    return bitcast<f32>(load_Wm(P.w_base + (P.v0 + j) * P.d + k));
  }
  if (MODE == 2u) {
    return bitcast<f32>(load_Wm(P.w_base + (P.v0 + k) * P.d + j));
  }
  // dW = Gᵀ·H: an ignored row adds exactly nothing, even if its hidden state holds NaN or Inf
  // (0 · NaN would be NaN).
  if (label(k) == P.ignore_index) {
    return 0.0;
  }
  return bitcast<f32>(load_H(P.h_base + k * P.d + j));
}

fn mm_tile(i0: u32, j0: u32, lid: u32) -> array<f32, 16> {
  let M = dim_m();
  let N = dim_n();
  let K = dim_k();
  let tx = lid % 8u;
  let ty = lid / 8u;
  var acc = array<f32, 16>();  // explicit zeros: a bare declaration in a loop kept the last iteration's values on SwiftShader
  var live = 1u;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    // F_FILTER: one thread reads the tile's mask word at each TILE boundary of K (BK divides
    // TILE); workgroupUniformLoad makes it uniform, so the whole workgroup skips the slices of a
    // dead tile together (loads, barriers and FMAs).
    if (has(F_FILTER) && MODE >= 2u) {
      if (k0 % TILE == 0u) {
        if (lid == 0u) {
          live_wg = tile_live(i0, k0);
        }
        live = workgroupUniformLoad(&live_wg);
      }
      if (live == 0u) {
        continue;
      }
    }
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
    // F_FILTER: a dead tile of G (ii all lie in one row or class block) is stepped over whole.
    if (has(F_FILTER) && MODE >= 2u && k % TILE == 0u && tile_live(ii[0], k) == 0u) {
      k += TILE - 1u;
      continue;
    }
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
