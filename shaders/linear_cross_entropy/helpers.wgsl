// Linear cross-entropy: loss and gradients of a classifier layer, from hidden states H [N, D], the
// classifier W [V, D], an optional bias b [V] and sparse labels y [N], without ever forming the
// N×V logits. z'_{rc} = cap(H_r·W_c + b_c); cap(x) = s·tanh(x/s) with soft-cap s, else x.
//
// Scratch S (one buffer): S[0..4) META, then ROW (4 words per row: lse, K, A, Y), then PART
// (4 words per (row, vocabulary split): m, sum, wz, z_y; 8 with F_EXTRAS: also t, the raw
// maximum and its class).
// F_SHIFT (causal shift): row r is scored against label r + 1 of its sequence of P.seq rows, and
// a sequence's last row is ignored; label() does it, so every entry sees the shifted labels.
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
//     F_FILTER (gradient filtering, Cut Cross-Entropy's): MODE 1 marks a 32×32 tile of G live
//       when one of its entries has !(|g| ≤ ε·k) (NaN counts as live; k = out_scale, / denom for
//       'mean'); MODES 2 and 3 leave dead tiles out of their reductions (a uniform branch per
//       workgroup in the staged form: the tile's loads and FMAs are skipped). dbias keeps all.
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
// Files: helpers.wgsl (this, and `prepare`), matmul.wgsl (the roles of ../matmul_tile.wgsl's
// tile product, staged or direct),
// tile.wgsl (entry `tile`: the forward fold and the gradient tiles), combine.wgsl (entries
// `combine` and `dbias`). Params, the bindings, F_*, WG, TILE, TM and the scratch word counts are
// generated from src/kernels/layouts/linear-cross-entropy.ts.
//
// Pipeline key: entry, MODE and DIRECT (tile only) and FLAGS (F_*). Shapes, offsets and option
// values are in the uniform block, so one pipeline serves every shape.

override MODE: u32 = 0u;
// Direct tiles (CPU adapters): each thread computes its 4×4 block straight from the storage
// buffers, with no workgroup memory and no barrier (why and when: defaultTiles in
// src/kernels/launch.ts).
override DIRECT: bool = false;

// The label of a row past the batch: no class.
const NO_CLASS: i32 = -1;

fn weight(c: u32) -> f32 {
  if (has(F_WEIGHT)) {
    return CW[c];
  }
  return 1.0;
}

// The label row r is scored against: with F_SHIFT, the next row's, and none (ignored) for the
// last row of each sequence of P.seq rows; the caller's labels are read in place.
fn label(r: u32) -> i32 {
  if (has(F_SHIFT)) {
    if ((r + 1u) % P.seq == 0u) {
      return P.ignore_index;
    }
    return L[P.l_base + r + 1u];
  }
  return L[P.l_base + r];
}

// Words per (row, split) of PART.
fn part_words() -> u32 {
  if (has(F_EXTRAS)) {
    return PART_WORDS_X;
  }
  return PART_WORDS;
}

// z_{rc} before the cap, from the dot product acc = H_r·W_c (argmax is taken on it).
fn raw_logit(acc: f32, c: u32) -> f32 {
  if (has(F_BIAS)) {
    return acc + Bv[P.b_base + c];
  }
  return acc;
}

fn cap(z: f32) -> f32 {
  if (has(F_SOFTCAP)) {
    return soft_cap(z, P.softcap);
  }
  return z;
}

// z'_{rc} from the dot product acc = H_r·W_c.
fn logit(acc: f32, c: u32) -> f32 {
  return cap(raw_logit(acc, c));
}

// F_FILTER: the mask word of gradient tile (row block rb, class block cb; both absolute, TILE
// wide), after the [N, vc] chunk in G. MODE 1 stores 1 in it for a live tile; a fresh buffer is
// zero, and each tile belongs to one chunk, so no word is ever cleared.
fn mask_word(rb: u32, cb: u32) -> u32 {
  return P.n * P.gstride + rb * ((P.v + TILE - 1u) / TILE) + cb;
}

// MODES 2 and 3, F_FILTER: is the tile of G holding A's element (i, k) live? (MODE 2: row i, class
// v0 + k; MODE 3: class v0 + i, row k.)
fn tile_live(i: u32, k: u32) -> u32 {
  if (MODE == 2u) {
    return G[mask_word(i / TILE, (P.v0 + k) / TILE)];
  }
  return G[mask_word(k / TILE, (P.v0 + i) / TILE)];
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
