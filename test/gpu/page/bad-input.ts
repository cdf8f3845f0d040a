// Bad input in the page: the shared battery runner (test/battery/run.ts) on the library area's
// context, with the GPU objects a case asks for made here; and the errors that need a sequence
// of GPU events (a failed call freeing what it made, a caller's buffer kept, a lost device).
import { WebGPULoss, type GpuTensor } from '../../../src/index';
import { allclose } from '../../util/allclose';
import { opsOf } from '../../util/check';
import { encode } from '../../util/wire';
import { errorOf, type ErrorInfo } from '../../util/errors';
import { TOL } from '../../util/tolerances';
import type { Case } from '../../battery/case';
import { gpuEntries } from '../../battery/entries';
import { gpuMakers } from '../../battery/gpu';
import { sharedBuffer } from '../../battery/make';
import { crossEntropyHealth, runCases, type Batch } from '../../battery/run';
import { ctx, newDevice } from './context';

/** One operation that must throw: its error as data, and whether the caller's arguments are unchanged. */
async function expectError(op: string, args: unknown[]): Promise<(ErrorInfo & { argsUnchanged: boolean }) | null> {
  const before = encode(args);
  const e = await errorOf(() => opsOf(ctx)[op](...args));
  return e && { ...e, argsUnchanged: encode(args) === before };
}

async function same(t: GpuTensor, want: ArrayLike<number>): Promise<boolean> {
  return allclose(await t.read(), want, TOL.exact).ok;
}

/** Runs a batch of cases on the page's context; a second device, if a case asks for one, is freed after. */
async function battery(cases: Case[]): Promise<Batch> {
  let other: Promise<WebGPULoss> | undefined;
  const others = () => (other ??= newDevice().then((device) => WebGPULoss.create({ device })));
  try {
    return await runCases(cases, gpuEntries(ctx), gpuMakers(ctx, others), () => crossEntropyHealth(gpuEntries(ctx).crossEntropy));
  } finally {
    if (other) {
      const o = await other;
      o.dispose();
      o.device.destroy();
    }
  }
}

/** Where the battery's SharedArrayBuffers come from on this page. */
function sharedArrayBuffers(): { crossOriginIsolated: boolean; constructor: string; made: string } {
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated,
    constructor: typeof (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer,
    made: Object.prototype.toString.call(sharedBuffer(8)),
  };
}

/**
 * Errors that take a sequence of GPU events: a call failing after an upload frees it, a bad
 * option leaves the caller's buffer as it was (and destroy() on its wrapper spares it), a lost
 * device rejects calls and reads, a disposed context rejects calls.
 */
async function gpuObjectErrors(): Promise<Record<string, ErrorInfo | null | boolean>> {
  const out: Record<string, ErrorInfo | null | boolean> = {};
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  const labels = { data: new Int32Array([0, 2]), shape: [2] };
  // A call that fails after uploading its input frees what it made.
  const held = ctx.stats().bytes;
  out.failedCallDType = await errorOf(() => ctx.crossEntropy({ data: logits, shape: [2, 3] }, { data: new Float32Array([0, 1]), shape: [2] }));
  out.failedCallFreesBytes = ctx.stats().bytes === held;
  // A caller's buffer passed with a bad option is left as it was.
  const mine = ctx.device.createBuffer({ size: 24, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  ctx.device.queue.writeBuffer(mine, 0, logits);
  const wrapped = ctx.wrap(mine, [2, 3]);
  out.badOptionOnCallerBuffer = await errorOf(() => ctx.crossEntropy(wrapped, labels, { labelSmoothing: 2, inPlace: true }));
  out.callerBufferUnchanged = await same(wrapped, logits);
  wrapped.destroy(); // not owned: the buffer must survive
  out.callerBufferSurvivesDestroy = await same(ctx.wrap(mine, [2, 3]), logits);
  // Device loss: later calls reject with DEVICE_LOST.
  const lostCtx = await WebGPULoss.create({ device: await newDevice() });
  const before = lostCtx.tensor(logits, [2, 3]);
  lostCtx.device.destroy();
  await lostCtx.device.lost;
  out.afterLoss = await errorOf(() => lostCtx.crossEntropy({ data: logits, shape: [2, 3] }, labels));
  out.readAfterLoss = await errorOf(() => before.read());
  const fresh = await WebGPULoss.create();
  const r = await fresh.crossEntropy({ data: logits, shape: [2, 3] }, labels);
  out.newContextWorks = Number.isFinite((await r.loss.read())[0]);
  fresh.dispose();
  out.afterDispose = await errorOf(() => fresh.softmax({ data: logits, shape: [2, 3] }));
  mine.destroy();
  return out;
}
/**
 * Misuse that needs GPU objects, each with the caller's GPU data read back afterwards.
 * Returns, per case, the error and whether the caller's tensors still hold their values.
 */
async function gpuBattery(): Promise<Record<string, { error: ErrorInfo | null; unchanged: boolean }>> {
  const res: Record<string, { error: ErrorInfo | null; unchanged: boolean }> = {};
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  const labelsI = new Int32Array([0, 2]);
  const x = ctx.tensor(logits, [2, 3]);
  const y = ctx.tensor(labelsI, [2]);
  const run = async (name: string, f: () => unknown) => {
    const error = await errorOf(f);
    res[name] = { error, unchanged: (await same(x, logits)) && (await same(y, labelsI)) };
  };
  const floatLabels = ctx.tensor(new Float32Array([0, 2]), [2], 'float32');
  await run('float labels on the GPU', () => ctx.crossEntropy(x, floatLabels));
  const intLogits = ctx.tensor(new Int32Array([1, 2, 3]), [1, 3]);
  await run('int32 logits on the GPU', () => ctx.softmax(intLogits));
  const wrongShape = ctx.tensor(new Float32Array(6), [3, 2, 1]);
  await run('gradOut of the wrong shape', () => ctx.crossEntropy(x, y, { gradOut: wrongShape }));
  const otherDevice = await newDevice();
  const other = await WebGPULoss.create({ device: otherDevice });
  await run('gradOut on another device', () => ctx.crossEntropy(x, y, { gradOut: other.tensor(new Float32Array(6), [2, 3]) }));
  await run('labels on another device', () => ctx.crossEntropy(x, other.tensor(labelsI, [2])));
  const buf = ctx.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  await run('a byte offset that is not a multiple of 4', () => ctx.wrap(buf, [2, 3], 'float32', 2));
  await run('a shape past 2^32 elements', () => ctx.wrap(buf, [70000, 70000]));
  await run('a negative shape on a wrapped buffer', () => ctx.wrap(buf, [-2, 3]));
  const shared = ctx.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  ctx.device.queue.writeBuffer(shared, 0, labelsI);
  const yShared = ctx.wrap(shared, [2], 'int32');
  await run('gradOut sharing the labels\' buffer', () => ctx.crossEntropy(x, yShared, { gradOut: ctx.wrap(shared, [2, 3], 'float32', 16) }));
  res['gradOut sharing the labels\' buffer'].unchanged &&= await same(yShared, labelsI);
  const spare = ctx.tensor(new Float32Array(6), [2, 3]);
  await run('inPlace with gradOut', () => ctx.crossEntropy(x, y, { inPlace: true, gradOut: spare }));
  await run('a read of a destroyed output', async () => {
    const o = await ctx.softmax(x);
    o.destroy();
    return o.read();
  });
  other.dispose();
  otherDevice.destroy();
  buf.destroy();
  shared.destroy();
  for (const t of [x, y, floatLabels, intLogits, wrongShape, spare]) t.destroy();
  return res;
}

export const handlers = { battery, expectError, sharedArrayBuffers, gpuObjectErrors, gpuBattery };
