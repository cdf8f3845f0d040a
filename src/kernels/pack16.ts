// Host side of shaders/pack16.wgsl: a float32 gradient packed into the input's 16-bit dtype
// (gradDtype: 'input'), as dispatches in the call's own submit, in chunks of one binding.
import type { GpuContext, Dispatch } from '../gpu/context';
import type { GpuTensor } from '../gpu/tensor';
import { isHalf } from '../contract/tensor';
import type { GradDType, HalfDType } from '../contract/types';
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

/**
 * gradDtype 'input' on a 16-bit input: the float32 `grad` packed into a new tensor of the input's
 * dtype by dispatches appended to the call's, the float32 one freed after the submit (`temps`);
 * else undefined (no gradient, or it stays float32).
 */
export function packedGrad(ctx: GpuContext, gradDtype: GradDType, input: GpuTensor, grad: GpuTensor | undefined, label: string, dispatches: Dispatch[], made: GpuTensor[], temps: GpuTensor[]): GpuTensor<HalfDType> | undefined {
  if (!grad || !packsGrad(gradDtype, input)) return undefined;
  const grad16 = ctx.empty(grad.shape, input.dtype as HalfDType, `${label}:grad16`);
  made.push(grad16);
  dispatches.push(...packDispatches(ctx, grad, grad16));
  temps.push(grad);
  return grad16;
}
