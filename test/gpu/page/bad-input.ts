// Bad input in the page: a typed error before anything runs, and the caller's data and buffers
// as they were. Host data comes from the test; GPU objects (buffers, devices) are made here.
import { WebGPULoss, type GpuTensor } from '../../../src/index';
import { allclose } from '../../util/allclose';
import { opsOf } from '../../util/check';
import { errorOf, type ErrorInfo } from '../../util/errors';
import { TOL } from '../../util/tolerances';
import { encode } from '../../util/wire';
import { ctx, newDevice } from './context';

async function same(t: GpuTensor, want: ArrayLike<number>): Promise<boolean> {
  return allclose(await t.read(), want, TOL.exact).ok;
}

/** A GPU operation that must throw: its error, and whether the caller's arguments are as they were. */
async function expectError(op: string, args: unknown[]): Promise<(ErrorInfo & { argsUnchanged: boolean }) | null> {
  const before = encode(args);
  const e = await errorOf(() => opsOf(ctx)[op](...args));
  return e && { ...e, argsUnchanged: encode(args) === before };
}

/**
 * Errors that need GPU objects to provoke: buffers without STORAGE, too small, destroyed,
 * from another device, in-place on host data, a lost device. Returns each case's error and
 * whether the caller's buffer still holds what it held.
 */
async function gpuObjectErrors(): Promise<Record<string, ErrorInfo | null | boolean>> {
  const out: Record<string, ErrorInfo | null | boolean> = {};
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  const labels = { data: new Int32Array([0, 2]), shape: [2] };
  const noStorage = ctx.device.createBuffer({ size: 24, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  out.noStorage = await errorOf(() => ctx.wrap(noStorage, [2, 3]));
  const small = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  out.tooSmall = await errorOf(() => ctx.wrap(small, [2, 3]));
  const x = ctx.tensor(logits, [2, 3]);
  x.destroy();
  out.destroyed = await errorOf(() => ctx.crossEntropy(x, labels));
  const other = await newDevice();
  const otherCtx = await WebGPULoss.create({ device: other });
  const foreign = otherCtx.tensor(logits, [2, 3]);
  out.otherDevice = await errorOf(() => ctx.crossEntropy(foreign, labels));
  // A call that fails after uploading its input frees what it made.
  const held = ctx.stats().bytes;
  out.failedCallDType = await errorOf(() => ctx.crossEntropy({ data: logits, shape: [2, 3] }, { data: new Float32Array([0, 1]), shape: [2] }));
  out.failedCallFreesBytes = ctx.stats().bytes === held;
  const xi = ctx.tensor(logits, [2, 3]);
  out.gradOutIsInput = await errorOf(() => ctx.crossEntropy(xi, labels, { gradOut: xi }));
  xi.destroy();
  out.inPlaceHost = await errorOf(() => ctx.crossEntropy({ data: logits, shape: [2, 3] }, labels, { inPlace: true }));
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
  for (const b of [noStorage, small, mine]) b.destroy();
  otherCtx.dispose();
  other.destroy();
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

export const handlers = { expectError, gpuObjectErrors, gpuBattery };
