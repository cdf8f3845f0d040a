import { defineLayout, named, read, rw, u32 } from './layout';

/** shaders/reduce.wgsl's interface: the batch sum or mean of per-row (or per-element) losses. */
export const REDUCE = defineLayout('reduce', {
  uniforms: {
    n: u32(),
    mode: u32('MODE_SUM, MODE_MEAN_META or MODE_MEAN_N'),
    zero_if_empty: u32('1: no kept row gives 0, else NaN'),
  },
  bindings: {
    V: read('u32', 'the values'),
    META: read('u32', "cross-entropy's META: [0] the mean's denominator, [3] kept rows"),
    OUT: rw('u32', 'the scalar result'),
  },
  consts: {
    MODE_SUM: named(0),
    MODE_MEAN_META: named(1, 'mean over META[0] (kept rows: META[3])'),
    MODE_MEAN_N: named(2, 'mean over n'),
  },
});
