import { defineLayout, floats, named, read, rw, u32 } from './layout';
import { MATMUL_TILE_CONSTS } from './matmul-tile';

/** The interface of shaders/linear_jsd.wgsl (the student head's products for linearJsDivergence). */
export const LINEAR_JSD = defineLayout('linearJsd', {
  uniforms: {
    rows: u32('rows of this chunk'),
    v: u32('classes'),
    d: u32('features'),
    row0: u32("this chunk's first row in hidden and gradHidden"),
    h_base: u32('element offset of hidden in H'),
    w_base: u32('element offset of weight in Wm'),
    b_base: u32('element offset of the bias in Bv'),
    g_base: u32('element offset of the chunk in G'),
    o_base: u32('element offset of the output in O'),
    accumulate: u32('1: dweight / dbias add to O (every chunk after the first)'),
  },
  bindings: {
    H: floats('read', 'hidden [N, D]'),
    Wm: floats('read', 'weight [V, D]'),
    Bv: read('f32', 'bias [V] (F_BIAS)'),
    G: rw('f32', "the chunk's student logits [rows, V] (logits), then their gradient (the backward)"),
    O: rw('f32', 'gradHidden [N, D] (dhidden), gradWeight [V, D] (dweight), gradBias [V] (dbias)'),
  },
  flags: {
    BIAS: named(1),
  },
  consts: {
    ...MATMUL_TILE_CONSTS,
    MODE_LOGITS: named(0, 'MODE of the entry logits (the default)'),
    MODE_DHIDDEN: named(1, 'MODE of the entry dhidden'),
    MODE_DWEIGHT: named(2, 'MODE of the entry dweight'),
  },
});
