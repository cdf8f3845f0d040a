import { defineLayout, f32, floats, i32, named, read, rw, u32 } from './layout';

/** The interface of shaders/cross_entropy/. */
export const CROSS_ENTROPY = defineLayout('crossEntropy', {
  uniforms: {
    rows: u32('rows in this dispatch'),
    cols: u32(),
    x_base: u32("element offset of this dispatch's row 0 in X (and in G when in place)"),
    t_base: u32('element offset of row 0 in T'),
    g_base: u32('element offset of row 0 in G'),
    row0: u32("index of this dispatch's row 0 in the whole batch (LOSS, EXTRA)"),
    total_rows: u32('rows in the whole batch (EXTRA layout, prepare)'),
    slicing: u32("1: each thread of a row's workgroup takes a contiguous slice (CPU adapters), 0: strided"),
    ignore_index: i32(),
    smoothing: f32(),
    zloss: f32(),
    softcap: f32('0: off'),
    eps: f32(),
    out_scale: f32('1, or 1/ln 2 for bits'),
    split: u32('logits rows split across this many workgroups (1: not split)'),
    fold_prep: u32('1: workgroup 0 of this `main` dispatch runs prepare first (only when nothing in `main` reads META)'),
  },
  bindings: {
    X: floats('rw', 'the input; the gradient too when in place (float32 only)'),
    T: floats('read', 'sparse labels (i32 bits, read directly) or a dense target (load_T)'),
    Wt: read('f32', 'class weights (F_WEIGHT)'),
    META: rw('u32', "prepare's label scan (label_scan.wgsl)"),
    LOSS: rw('u32', 'per-row losses'),
    G: rw('u32', 'the gradient (not in place)'),
    EXTRA: rw('u32', 'lse, argmax, correct: total_rows words each (F_EXTRAS)'),
    PART: rw('u32', 'split rows: per-(row, part) stats'),
  },
  flags: {
    SPARSE: named(1),
    PROBS: named(2),
    WEIGHT: named(4),
    GRAD: named(8),
    INPLACE: named(16),
    EXTRAS: named(32),
    NORMALIZE: named(64),
    MEAN: named(128),
    SOFTCAP: named(256),
    LINEAR: named(512, "smoothing > 0 or dense targets: the sum over a_c·z'_c"),
  },
  consts: {
    META_WORDS: named(4, 'words of META'),
    STATS_WORDS: named(10, "words of one row's Stats (stats_words); PART holds this many per (row, part)"),
  },
});
