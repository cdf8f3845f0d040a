// The student head's products for linearJsDivergence, one row chunk at a time (the host keeps
// the chunk's [rows, V] logits within a memory budget; jsd's `main` runs on them in between):
//
//   logits:  z[r, c] = Σ_k H[row0 + r, k]·W[c, k] (+ b[c])                  (into G)
//   then jsd/main.wgsl turns G into g = d loss / d z (already scaled for the reduction)
//   dhidden: dH[row0 + r, k] = Σ_c g[r, c]·W[c, k]       (each row in one chunk: written)
//   dweight: dW[c, k]       += Σ_r g[r, c]·H[row0 + r, k] (summed over the chunks: accumulate)
//   dbias:   db[c]          += Σ_r g[r, c]
//
// logits, dhidden and dweight are tiles of C = A·B (shaders/matmul_tile.wgsl, shared with linear
// cross-entropy; MODE names the product and must match the entry):
//   MODE_LOGITS:  A = H[row0 : row0+rows] [rows, D], B = Wᵀ, K = D;        C = z [rows, V]
//   MODE_DHIDDEN: A = g [rows, V], B = W [V, D], K = V;                     C = dH's rows [rows, D]
//   MODE_DWEIGHT: A = gᵀ [V, rows], B = H[row0 : row0+rows] [rows, D], K = rows; C = dW's share
// staged (32×32 tiles through workgroup memory; what a GPU runs) or DIRECT (a thread's 4×4 block
// from the buffers, no barrier; what a CPU adapter runs). Each sum in f32 (fma) in a fixed
// order: deterministic; dH's long sums (V > 1024 classes) keep within the oracle's tolerance.
// H and W are float32, float16 or bfloat16 (load_H, load_Wm: exact float32 bits). dbias is a
// Kahan sum over the chunk's rows, a column per thread.
//
// Pipeline key: entry, MODE, DIRECT, FLAGS and the inputs' dtypes; shapes and offsets are uniforms.

override MODE: u32 = MODE_LOGITS;
// Direct tiles (CPU adapters); why and when: defaultTiles in src/kernels/launch.ts.
override DIRECT: bool = false;

fn dim_m() -> u32 {
  if (MODE == MODE_DWEIGHT) {
    return P.v;
  }
  return P.rows;
}
fn dim_n() -> u32 {
  if (MODE == MODE_LOGITS) {
    return P.v;
  }
  return P.d;
}
fn dim_k() -> u32 {
  if (MODE == MODE_LOGITS) {
    return P.d;
  }
  if (MODE == MODE_DHIDDEN) {
    return P.v;
  }
  return P.rows;
}

// Row r of the chunk, feature k.
fn hidden_at(r: u32, k: u32) -> f32 {
  return bitcast<f32>(load_H(P.h_base + (P.row0 + r) * P.d + k));
}
fn weight_at(c: u32, k: u32) -> f32 {
  return bitcast<f32>(load_Wm(P.w_base + c * P.d + k));
}
fn grad_at(r: u32, c: u32) -> f32 {
  return G[P.g_base + r * P.v + c];
}

fn load_a(i: u32, k: u32) -> f32 {
  if (MODE == MODE_LOGITS) {
    return hidden_at(i, k);
  }
  if (MODE == MODE_DHIDDEN) {
    return grad_at(i, k);
  }
  return grad_at(k, i);
}
fn load_b(k: u32, j: u32) -> f32 {
  if (MODE == MODE_LOGITS) {
    return weight_at(j, k);
  }
  if (MODE == MODE_DHIDDEN) {
    return weight_at(k, j);
  }
  return hidden_at(k, j);
}
fn a_along_k() -> bool {
  return MODE != MODE_DWEIGHT;
}
fn b_along_k() -> bool {
  return MODE == MODE_LOGITS;
}
// Every block of g is summed (no gradient filtering here).
fn skips_dead() -> bool {
  return false;
}
fn tile_live(i: u32, k: u32) -> u32 {
  return 1u;
}

// Stores C[i, j] = v (i < M, j < N checked here) where MODE's product goes.
fn emit(i: u32, j: u32, v: f32) {
  if (i >= dim_m() || j >= dim_n()) {
    return;
  }
  if (MODE == MODE_LOGITS) {
    var z = v;
    if (has(F_BIAS)) {
      z += Bv[P.b_base + j];
    }
    G[P.g_base + i * P.v + j] = z;
  } else if (MODE == MODE_DHIDDEN) {
    O[P.o_base + (P.row0 + i) * P.d + j] = v;
  } else {
    let o = P.o_base + i * P.d + j;
    if (P.accumulate == 1u) {
      O[o] = O[o] + v;
    } else {
      O[o] = v;
    }
  }
}

// The tiles of C, grid-stride: a 32×32 tile per workgroup task (staged) or a 4×4 block per
// thread (DIRECT).
fn product(lid: u32, wg: u32, nwg: u32) {
  let M = dim_m();
  let N = dim_n();
  if (DIRECT) {
    direct_blocks(wg * WG + lid, nwg * WG);
    return;
  }
  let nBlocks = (N + BN - 1u) / BN;
  let tasks = ((M + BM - 1u) / BM) * nBlocks;
  let tx = lid % 8u;
  let ty = lid / 8u;
  for (var t = wg; t < tasks; t += nwg) {
    let i0 = (t / nBlocks) * BM;
    let j0 = (t % nBlocks) * BN;
    let acc = mm_tile(i0, j0, lid);
    for (var m = 0u; m < TM; m++) {
      for (var q = 0u; q < TM; q++) {
        emit(i0 + ty + 8u * m, j0 + tx + 8u * q, acc[m * TM + q]);
      }
    }
  }
}

@compute @workgroup_size(WG)
fn logits(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wgid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  product(lid, wgid.x, nwg.x);
}

@compute @workgroup_size(WG)
fn dhidden(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wgid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  product(lid, wgid.x, nwg.x);
}

@compute @workgroup_size(WG)
fn dweight(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wgid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  product(lid, wgid.x, nwg.x);
}

struct Kahan {
  s: f32,
  c: f32,
}

fn kahan_add(k: Kahan, x: f32) -> Kahan {
  let t = x - k.c;
  let u = k.s + t;
  return Kahan(u, (u - k.s) - t);
}

@compute @workgroup_size(WG)
fn dbias(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var c = gid.x; c < P.v; c += nwg.x * WG) {
    var acc = Kahan(0.0, 0.0);
    for (var r = 0u; r < P.rows; r++) {
      acc = kahan_add(acc, G[P.g_base + r * P.v + c]);
    }
    if (P.accumulate == 1u) {
      O[P.o_base + c] = O[P.o_base + c] + acc.s;
    } else {
      O[P.o_base + c] = acc.s;
    }
  }
}
