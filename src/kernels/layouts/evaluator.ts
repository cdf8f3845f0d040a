import { defineLayout, i32, named, read, rw, u32 } from './layout';

/** The interface of shaders/evaluator.wgsl. */
export const EVALUATOR = defineLayout('evaluator', {
  uniforms: {
    rows: u32('rows of this batch'),
    cols: u32('classes (a label outside [0, cols) is counted, not summed)'),
    ignore_index: i32(),
    t_base: u32('element offset of row 0 in T'),
    c_base: u32('in CORRECT'),
    l_base: u32('in LOGP'),
    e_base: u32('in ENT'),
    h_base: u32('in HIT'),
  },
  bindings: {
    T: read('u32', 'the labels (i32 bits)'),
    CORRECT: read('u32', "crossEntropy extras' correct"),
    LOGP: read('u32', "extras' labelLogProb (f32 bits, nats)"),
    ENT: read('u32', "extras' entropy (f32 bits, nats)"),
    HIT: read('u32', "extras' topKHit"),
    ACC: rw('u32', 'the running sums (layout in shaders/evaluator.wgsl)'),
  },
  consts: {
    FLAGS_WORD: named(12, 'the word of ACC holding the flags below'),
    NLL_NAN: named(1, 'a kept row had ln p_y NaN'),
    NLL_INF: named(2, 'a kept row had ln p_y = -Infinity (a masked label)'),
    ENT_NAN: named(4, 'a kept row had no entropy (NaN)'),
  },
});
