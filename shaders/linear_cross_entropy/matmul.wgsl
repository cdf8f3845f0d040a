// Linear cross-entropy's matrix products: the roles of the shared tile C = A·B (shaders/
// matmul_tile.wgsl: staged through workgroup memory, mm_tile, or direct, mm_direct) by MODE:
//   MODE 0, 1: A = H [N, D], B = Wᵀ (columns are classes), K = D: the logits.
//   MODE 2:    A = G [N, vc], B = W[v0 : v0+vc] [vc, D], K = vc: a chunk's share of dH.
//   MODE 3:    A = Gᵀ [vc, N], B = H [N, D], K = N: the chunk's rows of dW.
// F_FILTER, MODES 2 and 3: the dead 32×32 tiles of G are left out of the reductions.

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

// A is contiguous along k except in MODE 3 (Gᵀ); B along k for the logits (rows of W), along j
// otherwise.
fn a_along_k() -> bool {
  return MODE != 3u;
}
fn b_along_k() -> bool {
  return MODE <= 1u;
}
fn skips_dead() -> bool {
  return has(F_FILTER) && MODE >= 2u;
}
