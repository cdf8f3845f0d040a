import { defineLayout, f32, floats, named, rw, u32 } from './layout';

/** The interface of shaders/entropy/ (entropy and KL divergence). */
export const ENTROPY = defineLayout('entropy', {
  uniforms: {
    rows: u32('rows in this dispatch'),
    cols: u32(),
    x_base: u32("element offset of this dispatch's row 0 in X"),
    t_base: u32('element offset of row 0 in T'),
    g_base: u32('element offset of row 0 in G'),
    row0: u32("index of this dispatch's row 0 in the whole batch (LOSS)"),
    eps: f32('probability clip ε'),
    ln_eps: f32('ln ε, from the host in float64'),
    out_scale: f32('1, or 1/ln 2 for bits'),
    grad_scale: f32('out_scale, times 1/rows for the mean'),
  },
  bindings: {
    X: floats('read', 'the input'),
    T: floats('read', 'the target (KL)'),
    LOSS: rw('u32', 'per-row values'),
    G: rw('u32', 'the gradient'),
  },
  flags: {
    KL: named(1),
    X_PROBS: named(2, 'the input X holds probabilities (else logits)'),
    T_PROBS: named(4, 'the target T holds probabilities (KL)'),
    GRAD: named(8),
  },
});
