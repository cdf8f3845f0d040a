// Focal loss checks that need GPU objects: labels already on the GPU, range-checked by the kernel.
import { errorOf } from '../../util/errors';
import { ctx } from './context';

/** Labels on the GPU, two out of range: their count, the per-row losses, and checkLabels' error. */
async function focalGpuLabels(): Promise<{ invalid: number; loss: number[]; thrown: string | undefined }> {
  const x = ctx.tensor(new Float32Array([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]), [4, 3]);
  const y = ctx.tensor(new Int32Array([0, 3, -1, -100]), [4]);
  const out = await ctx.focalLoss(x, y, { reduction: 'none', grad: true });
  const [invalid] = await out.invalidLabels!.read();
  const loss = Array.from(await out.loss.read());
  const e = await errorOf(() => ctx.checkLabels(out, 3));
  out.dispose();
  x.destroy();
  y.destroy();
  return { invalid, loss, thrown: e ? `${e.name}: ${e.message}` : undefined };
}

export const handlers = { focalGpuLabels };
