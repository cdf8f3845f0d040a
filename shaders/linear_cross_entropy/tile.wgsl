// Linear cross-entropy's entry `tile`: the forward's fold of logit tiles into each row's running
// statistics (MODE 0) and the gradient tiles (MODES 1-3), in the staged form and the direct one.

// Forward fold of one row (thread lid < BM owns row i0 + lid of the task).
struct Fold {
  on: Online,
  wz: f32,     // Σ_c w_c·z'_c over the split
  zy: f32,     // z'_y when the label falls in the split
  poison: bool,
  t: f32,      // F_EXTRAS: Σ_c e^(z'_c − m)·(z'_c − m), rescaled with m (the entropy's sum)
  amax: f32,   // F_EXTRAS: the largest raw z_c (the cap can tie distinct logits in float32)
  aidx: u32,   // F_EXTRAS: its class (first maximum), or the first NaN / +Infinity class
}

// A class index no split holds: the fold's argmax before its first logit.
const NO_IDX: u32 = 0xffffffffu;

fn fold_empty() -> Fold {
  return Fold(online_empty(), 0.0, 0.0, false, 0.0, 0.0, NO_IDX);
}

// MODE 0: tasks are (row block, split); each loops over the split's 32-class tiles.
//   1. z = H_r·W_c + b_c for the tile (mm_tile), written to Zs.
//   2. The row's owner folds its 32 values, z' = cap(z): the online max/sum (common.wgsl's
//      online_push: s <- s·exp(m - x) + 1 for a new maximum x, else s <- s + exp(x - m)),
//      Σ w_c·z'_c, z'_y; NaN / +Infinity is remembered by its bits. F_EXTRAS: also
//      t = Σ e^(x − m)·(x − m) (a new maximum x rescales it: t <- e^(m − x)·(t + (m − x)·s)), and
//      the first class of the largest raw z.
//   3. At the split's end: PART[row, split] = (m, s, wz, z'_y[, t, max z, its class]), m as NaN
//      bits for a poisoned row.
// MODE 1: tasks are tiles of the chunk; with the row's lse, K, A, Y from combine and p = exp(z' − lse):
//   G[r, j] = (p·K − A·w_c − [c = y]·Y)·cap'(z),  cap' = 1 − (z'/s)² (1 without a soft-cap),
//   i.e. the scaled softmax − target of crossEntropy, chained through the cap. Ignored rows have
//   K = A = Y = 0, hence 0.
//   F_FILTER: a tile with an entry !(|g| ≤ ε·k) (k: the row scale of combine) is marked live.
// MODE 2: dH[r, :] (+)= the tile of G·W_chunk.   MODE 3: dW[v0 + i, :] = the tile of Gᵀ·H.
//   F_FILTER: both reductions leave out the dead tiles of G (matmul.wgsl).
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
      var f = fold_empty();
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
              z = raw_logit(acc[m * TM + q], c);
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
  if (MODE == 0u) {
    let mGroups = (dim_m() + TM - 1u) / TM;
    let tasks = mGroups * P.nsplit;
    for (var t = gid; t < tasks; t += stride) {
      let i0 = (t / P.nsplit) * TM;
      let sp = t % P.nsplit;
      var f: array<Fold, 4>;
      var y: array<i32, 4>;
      for (var m = 0u; m < TM; m++) {
        f[m] = fold_empty();
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
            f[m] = fold_push(f[m], raw_logit(acc[m * TM + q], c), c, y[m]);
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
  direct_blocks(gid, stride);
}

// MODE 0, step 2: one raw logit zr of class c into a row's fold (label y).
fn fold_push(f: Fold, zr: f32, c: u32, y: i32) -> Fold {
  var r = f;
  let z = cap(zr);
  if (is_poison(bitcast<u32>(z))) {
    if (has(F_EXTRAS) && !r.poison) {
      r.aidx = c;
    }
    r.poison = true;
    return r;
  }
  if (has(F_EXTRAS) && !r.poison) {
    if (r.aidx == NO_IDX || zr > r.amax) {
      r.amax = zr;
      r.aidx = c;
    }
    let m = r.on.m;
    let s = r.on.s;
    if (s == 0.0) {
      r.t = 0.0;
    } else if (z > m) {
      let e = exp_sub(m, z);
      r.t = select(0.0, e * (r.t + (m - z) * s), e > 0.0);
    } else if (z > NEG_BIG) {
      r.t += exp_sub(z, m) * (z - m);
    }
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
  let o = P.part_base + (row * P.nsplit + sp) * part_words();
  S[o] = select(bitcast<u32>(f.on.m), BITS_NAN, f.poison);
  S[o + 1u] = bitcast<u32>(f.on.s);
  S[o + 2u] = bitcast<u32>(f.wz);
  S[o + 3u] = bitcast<u32>(f.zy);
  if (has(F_EXTRAS)) {
    S[o + 4u] = bitcast<u32>(f.t);
    S[o + 5u] = bitcast<u32>(f.amax);
    S[o + 6u] = f.aidx;
  }
}

// MODES 1–3: stores C[i, j] = v (i < M, j < N checked here).
fn emit(i: u32, j: u32, v: f32) {
  if (i >= dim_m() || j >= dim_n()) {
    return;
  }
  if (MODE == 1u) {
    // An ignored row's gradient is 0, not 0 · exp(z): its logits may be NaN or overflow exp.
    if (label(i) == P.ignore_index) {
      G[i * P.gstride + j] = 0u;
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
    G[i * P.gstride + j] = bitcast<u32>(g);
    if (has(F_FILTER)) {
      // Every writer stores the same 1: the word's value does not depend on their order.
      var k = P.out_scale;
      if (has(F_MEAN)) {
        k = k / bitcast<f32>(S[0]);
      }
      if (!(abs(g) <= P.filter_eps * k)) {
        G[mask_word(i / TILE, c / TILE)] = 1u;
      }
    }
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
