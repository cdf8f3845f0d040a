// Host side of shaders/pack16.wgsl: a float32 gradient packed into the input's 16-bit dtype
// (gradDtype: 'input'), as dispatches in the call's own submit, in chunks of one binding.
import type { GpuContext, Dispatch } from '../gpu/context';
import type { GpuTensor } from '../gpu/tensor';
import { isHalf } from '../contract/tensor';
import type { GradDType } from '../contract/types';
import { PACK16 } from './layouts/pack16';
import { grid } from './launch';

/** Whether a call's gradient is packed: gradDtype 'input' on a float16 / bfloat16 input. */
export const packsGrad = (gradDtype: GradDType, input: GpuTensor): boolean => gradDtype === 'input' && isHalf(input.dtype);

/** `src` (float32) into `dst` (float16 or bfloat16, same size), rounded to nearest even. */
export function packDispatches(ctx: GpuContext, src: GpuTensor, dst: GpuTensor): Dispatch[] {
  const n = src.size;
  // Whole words per chunk: an even count of values, so each chunk starts on a word of dst.
  const perChunk = Math.floor((ctx.maxBindingBytes - ctx.limits.minStorageBufferOffsetAlignment) / 8) * 2;
  const dtype = dst.dtype === 'bfloat16' ? PACK16.C.DTYPE_BF16 : PACK16.C.DTYPE_F16;
  const out: Dispatch[] = [];
  for (let e0 = 0; e0 < n; e0 += perChunk) {
    const count = Math.min(perChunk, n - e0);
    const s = ctx.bind(src, e0, count);
    const d = ctx.bind(dst, e0, count);
    out.push({
      family: 'pack16', entry: 'main', workgroups: grid(ctx, Math.ceil(count / 128)),
      uniforms: PACK16.uniforms({ n: count, src_base: s.base, dst_base: d.base / 2, dtype }),
      bindings: PACK16.bindings({ SRC: s.binding, DST: d.binding }),
    });
  }
  return out;
}
