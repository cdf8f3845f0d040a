// The student head's products for linearJsDivergence, one row chunk at a time (the host keeps
// the chunk's [rows, V] logits within a memory budget; jsd's `main` runs on them in between):
//
//   logits:  z[r, c] = Σ_k H[row0 + r, k]·W[c, k] (+ b[c])                  (into G)
//   then jsd/main.wgsl turns G into g = d loss / d z (already scaled for the reduction)
//   dhidden: dH[row0 + r, k] = Σ_c g[r, c]·W[c, k]       (each row in one chunk: written)
//   dweight: dW[c, k]       += Σ_r g[r, c]·H[row0 + r, k] (summed over the chunks: accumulate)
//   dbias:   db[c]          += Σ_r g[r, c]
//
// An output element per thread (grid-stride); each sum in f32, Kahan-compensated so that long
// sums (V > 1024 classes in dH) keep float32 accuracy. Order fixed: deterministic.

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
fn logits(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let total = P.rows * P.v;
  for (var i = gid.x; i < total; i += nwg.x * WG) {
    let r = i / P.v;
    let c = i % P.v;
    let h = P.h_base + (P.row0 + r) * P.d;
    let w = P.w_base + c * P.d;
    var acc = Kahan(0.0, 0.0);
    if (has(F_BIAS)) {
      acc.s = Bv[P.b_base + c];
    }
    for (var k = 0u; k < P.d; k++) {
      acc = kahan_add(acc, H[h + k] * Wm[w + k]);
    }
    G[P.g_base + i] = acc.s;
  }
}

@compute @workgroup_size(WG)
fn dhidden(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let total = P.rows * P.d;
  for (var i = gid.x; i < total; i += nwg.x * WG) {
    let r = i / P.d;
    let k = i % P.d;
    var acc = Kahan(0.0, 0.0);
    for (var c = 0u; c < P.v; c++) {
      acc = kahan_add(acc, G[P.g_base + r * P.v + c] * Wm[P.w_base + c * P.d + k]);
    }
    O[P.o_base + (P.row0 + r) * P.d + k] = acc.s;
  }
}

@compute @workgroup_size(WG)
fn dweight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let total = P.v * P.d;
  for (var i = gid.x; i < total; i += nwg.x * WG) {
    let c = i / P.d;
    let k = i % P.d;
    var acc = Kahan(0.0, 0.0);
    for (var r = 0u; r < P.rows; r++) {
      acc = kahan_add(acc, G[P.g_base + r * P.v + c] * H[P.h_base + (P.row0 + r) * P.d + k]);
    }
    if (P.accumulate == 1u) {
      O[P.o_base + i] = O[P.o_base + i] + acc.s;
    } else {
      O[P.o_base + i] = acc.s;
    }
  }
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
