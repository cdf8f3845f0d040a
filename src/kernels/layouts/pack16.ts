import { defineLayout, named, read, rw, u32 } from './layout';

/** shaders/pack16.wgsl's interface: float32 gradients packed into float16 / bfloat16 words. */
export const PACK16 = defineLayout('pack16', {
  uniforms: {
    n: u32('float32 values in this dispatch (the last word takes one when odd)'),
    src_base: u32('element offset of value 0 in SRC'),
    dst_base: u32('word offset of its word in DST'),
    dtype: u32('DTYPE_F16 or DTYPE_BF16'),
  },
  bindings: {
    SRC: read('u32', 'float32 bits'),
    DST: rw('u32', 'two 16-bit values per word, value 2k in the low half'),
  },
  consts: {
    DTYPE_F16: named(1),
    DTYPE_BF16: named(2),
  },
});
