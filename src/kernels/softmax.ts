import type { SoftmaxOptions } from '../contract/types';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import type { GpuTensor } from '../gpu/tensor';
import { rowChunks, matrixArgShape } from './common';
import { matrixShape } from '../contract/tensor';
import { parseSoftmaxOptions } from '../contract/configs/softmax';
import { rowLaunch } from './launch';
import { SOFTMAX } from './layouts/softmax';

// Host side of shaders/softmax.wgsl: validate, choose the kernel shape by row length, chunk rows
// that exceed one storage binding, dispatch.

export async function softmaxOp(ctx: GpuContext, x: TensorLike, opts: SoftmaxOptions, log: boolean): Promise<GpuTensor> {
  const T = parseSoftmaxOptions(opts).temperature;
  // Every check before the upload, so a bad call leaves nothing behind.
  const [rows, cols] = matrixShape(matrixArgShape(x), 'input');
  const chunks = rowChunks(ctx, rows, cols);
  const { t: input, temp } = ctx.floats(x, 'input');
  const dtypes = SOFTMAX.dtypes({ X: input.dtype });
  const out = ctx.empty(input.shape, 'float32', log ? 'logSoftmax' : 'softmax');
  const dispatches: Dispatch[] = chunks.map(({ row0, count }) => {
    const bx = ctx.bind(input, row0 * cols, count * cols);
    const by = ctx.bind(out, row0 * cols, count * cols);
    const l = rowLaunch(ctx, cols, count);
    return {
      family: 'softmax', entry: 'main', constants: { ...l.constants, ...dtypes, LOG_OUT: log ? 1 : 0 }, workgroups: l.workgroups,
      uniforms: SOFTMAX.uniforms({ rows: count, cols, in_base: bx.base, out_base: by.base, temp: T }),
      bindings: SOFTMAX.bindings({ X: bx.binding, Y: by.binding }),
    };
  });
  try {
    out.ready = (await ctx.run(log ? 'logSoftmax' : 'softmax', dispatches)).done;
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    if (temp) input.destroy();
  }
  return out;
}
