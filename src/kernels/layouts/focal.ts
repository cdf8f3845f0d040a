import { defineLayout, f32, floats, i32, named, read, rw, u32 } from './layout';

/** The interface of shaders/focal/main.wgsl (softmax focal loss; entries `prepare` and `main`). */
export const FOCAL = defineLayout('focal', {
  uniforms: {
    rows: u32('rows in this dispatch'),
    cols: u32(),
    x_base: u32("element offset of this dispatch's row 0 in X"),
    t_base: u32('element offset of row 0 in T (sparse: of its label)'),
    g_base: u32('element offset of row 0 in G'),
    row0: u32("index of this dispatch's row 0 in the whole batch (LOSS)"),
    total_rows: u32('rows in the whole batch (prepare)'),
    ignore_index: i32(),
    gamma: f32('γ >= 0'),
    alpha: f32('the one α of every class (not F_ALPHA_COL)'),
    out_scale: f32('of the loss and the gradient: 1, or 1/ln 2 for bits'),
  },
  bindings: {
    X: floats('read', 'the logits'),
    T: floats('read', 'sparse labels (i32 bits, T_DTYPE float32) or a dense target'),
    AL: read('f32', 'α per class (F_ALPHA_COL)'),
    META: rw('u32', "prepare's label scan (label_scan.wgsl)"),
    LOSS: rw('u32', 'per-row losses'),
    G: rw('u32', 'the gradient'),
  },
  flags: {
    SPARSE: named(1),
    ALPHA_COL: named(2, 'α per class (AL), else P.alpha'),
    GRAD: named(4),
    MEAN: named(8, 'the gradient takes 1/META[0]'),
  },
});

/** The interface of shaders/focal/binary.wgsl (binary focal loss, elementwise). */
export const BINARY_FOCAL = defineLayout('binaryFocal', {
  uniforms: {
    n: u32('elements in this dispatch'),
    x_base: u32("element offset of this dispatch's element 0 in X"),
    t_base: u32('... in T'),
    out_base: u32("... in OUT ('none'), or index of this dispatch's first partial (SUMS)"),
    g_base: u32('... in G'),
    alpha: f32('α in [0, 1] (F_ALPHA)'),
    gamma: f32('γ >= 0'),
    scale: f32('of the loss and the gradient: 1/ln 2 for bits, times 1/n for the mean'),
  },
  bindings: {
    X: floats('read'),
    T: floats('read'),
    OUT: rw('u32', "elementwise losses ('none') or workgroup partials (SUMS)"),
    G: rw('u32'),
  },
  flags: {
    ALPHA: named(1, 'α given (>= 0): a_t weighs each element'),
    GRAD: named(2),
  },
});
