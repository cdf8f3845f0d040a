import { defineLayout, f32, floats, rw, u32 } from './layout';

/** shaders/softmax.wgsl's interface (LOG_OUT is an override, not a uniform). */
export const SOFTMAX = defineLayout('softmax', {
  uniforms: {
    rows: u32(),
    cols: u32(),
    in_base: u32('element offset of row 0 in X'),
    out_base: u32('element offset of row 0 in Y'),
    temp: f32('temperature T'),
  },
  bindings: {
    X: floats('read'),
    Y: rw('u32'),
  },
});
