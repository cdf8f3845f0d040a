import { defineLayout, f32, floats, i32, named, read, rw, u32 } from './layout';

/** The interface of shaders/jsd/ (generalized Jensen–Shannon divergence from logits). */
export const JSD = defineLayout('jsd', {
  uniforms: {
    rows: u32('rows in this dispatch (count: every row of the batch)'),
    cols: u32(),
    s_base: u32("element offset of this dispatch's row 0 in S"),
    t_base: u32('element offset of row 0 in TE'),
    g_base: u32('element offset of row 0 in G'),
    row0: u32("index of this dispatch's row 0 in the whole batch (LOSS, LAB)"),
    inv_t: f32('1 / temperature'),
    beta: f32('β'),
    omb: f32('1 − β, from the host in float64'),
    nlb: f32('−ln β'),
    nlomb: f32('−ln(1 − β)'),
    grad_scale: f32('1/T, times 1/rows for a mean without labels'),
    ignore_index: i32(),
  },
  bindings: {
    S: floats('read', 'the student logits'),
    TE: floats('read', 'the teacher logits'),
    LAB: read('i32', 'labels [rows] (LABELS)'),
    META: rw('u32', "[0] kept rows as f32, [3] kept rows (the reduce's MODE_MEAN_META)"),
    LOSS: rw('u32', 'per-row values'),
    G: rw('u32', 'the gradient'),
  },
  flags: {
    FORWARD: named(1, 'β = 0: KL(P‖Q)'),
    REVERSE: named(2, 'β = 1: KL(Q‖P)'),
    GRAD: named(4),
    LABELS: named(8, 'rows whose label is ignore_index are skipped'),
    MEAN_KEPT: named(16, "the gradient's mean is over META's kept rows"),
  },
});
