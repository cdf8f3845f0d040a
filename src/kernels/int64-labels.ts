import { BufferError } from '../contract/errors';
import { checkDims } from '../contract/tensor';
import type { GpuContext } from '../gpu/context';
import type { GpuTensor } from '../gpu/tensor';
import { finishCall } from './common';
import { grid } from './launch';
import { INT64_TO_INT32 } from './layouts/int64-to-int32';

// Host side of shaders/int64_to_int32.wgsl: int64 labels (ONNX's usual label type) read in place
// from a caller's buffer and written as the int32 labels every kernel takes, in one submit.

/** The int32 label standing for an int64 outside int32 by default: out of range for any V. */
export const INT64_OUT_OF_RANGE = -(2 ** 31);

export async function int64LabelsOp(ctx: GpuContext, buffer: GPUBuffer, shape: readonly number[], byteOffset: number, outOfRange: number): Promise<GpuTensor> {
  ctx.checkAlive();
  checkDims(shape, 'buffer');
  const n = shape.reduce((a, b) => a * b, 1);
  if (!(buffer.usage & GPUBufferUsage.STORAGE)) throw new BufferError('buffer', 'buffer lacks GPUBufferUsage.STORAGE', 'BUFFER_USAGE');
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % ctx.limits.minStorageBufferOffsetAlignment !== 0) {
    throw new BufferError('buffer', `byte offset ${byteOffset} must be a multiple of ${ctx.limits.minStorageBufferOffsetAlignment} (minStorageBufferOffsetAlignment)`, 'BUFFER_USAGE');
  }
  if (byteOffset + n * 8 > buffer.size) throw new BufferError('buffer', `buffer holds ${buffer.size} bytes; ${n} int64 labels at offset ${byteOffset} need ${byteOffset + n * 8}`);
  const out = ctx.empty(shape, 'int32', 'int64Labels');
  if (n === 0) return out;
  try {
    const { done } = await ctx.run('int64Labels', [{
      family: 'int64ToInt32', entry: 'main', uniforms: INT64_TO_INT32.uniforms({ n, sentinel: outOfRange }),
      bindings: INT64_TO_INT32.bindings({ SRC: { buffer, offset: byteOffset, size: n * 8 }, DST: ctx.bind(out).binding }), workgroups: grid(ctx, Math.ceil(n / 64)),
    }]);
    finishCall({ out }, done, []);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}
