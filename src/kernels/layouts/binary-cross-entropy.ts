import { defineLayout, f32, floats, named, read, rw, u32 } from './layout';

/** shaders/binary_cross_entropy.wgsl's interface. */
export const BINARY_CROSS_ENTROPY = defineLayout('binaryCrossEntropy', {
  uniforms: {
    n: u32('elements in this dispatch (whole rows, so element 0 is column 0)'),
    cols: u32(),
    x_base: u32("element offset of this dispatch's element 0 in X"),
    t_base: u32('... in T'),
    out_base: u32("... in OUT ('none'), or index of this dispatch's first partial (SUMS)"),
    g_base: u32('... in G'),
    pos_weight: f32('the one posWeight when it is not per column'),
    weight: f32('the one weight when it is not per column'),
    eps: f32('ε as float32 (the value of the log at the clip)'),
    lo_in: f32('smallest float32 > ε'),
    hi_in: f32('largest float32 < 1 − ε'),
    scale: f32('of the loss and the gradient: 1/ln 2 for bits, times 1/n for the mean'),
  },
  bindings: {
    X: floats('read'),
    T: floats('read'),
    PW: read('f32', 'posWeight per column (F_PW_COL)'),
    WT: read('f32', 'weight per column (F_W_COL)'),
    OUT: rw('u32', "elementwise losses ('none') or workgroup partials (SUMS)"),
    G: rw('u32'),
  },
  flags: {
    PROBS: named(1),
    PW_COL: named(2, 'posWeight per column (PW), else P.pos_weight'),
    W_COL: named(4, 'weight per column (WT), else P.weight'),
    GRAD: named(8),
  },
});
