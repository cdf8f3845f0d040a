import { defineLayout, i32, read, rw, u32 } from './layout';

/** shaders/int64_to_int32.wgsl's interface (the ONNX Runtime adapter's label conversion). */
export const INT64_TO_INT32 = defineLayout('int64ToInt32', {
  uniforms: {
    n: u32(),
    sentinel: i32('written for a value outside int32'),
  },
  bindings: {
    SRC: read('vec2<u32>', 'int64 labels as (low, high) words'),
    DST: rw('i32'),
  },
});
