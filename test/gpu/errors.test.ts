// Bad input on the GPU API (WebGPULoss and its statics), every table of the battery: a typed error
// naming the argument, the caller's arguments unchanged, and a valid call after each batch
// matching the oracle. Then the errors that take a sequence of GPU events.
import { describe, it, expect, beforeEach } from 'vitest';
import { useGpuPage } from './harness';
import type { ErrorInfo } from '../util/errors';
import type { Case } from '../battery/case';
import type { Batch } from '../battery/run';
import { describeBattery } from '../battery/expect';
import { TABLES } from '../battery/tables';

const gpu = useGpuPage();
const run = (cases: Case[]) => gpu.call<Batch>('battery', cases);

for (const [title, cases] of TABLES) describeBattery(title, cases, 'gpu', run);

describe('SharedArrayBuffer on the test page', () => {
  it('the battery\'s SharedArrayBuffer-backed data are real SharedArrayBuffers (from WebAssembly memory where the page is not cross-origin isolated)', async () => {
    const r = await gpu.call<{ crossOriginIsolated: boolean; constructor: string; made: string }>('sharedArrayBuffers');
    console.log(`[battery] crossOriginIsolated ${r.crossOriginIsolated}, SharedArrayBuffer constructor: ${r.constructor}`);
    expect(r.made).toBe('[object SharedArrayBuffer]');
  });
});

describe('GPU objects: failed calls, caller buffers, devices, disposal', () => {
  // Run once, awaited by each test, so a failure fails tests rather than skipping them.
  let pending: Promise<Record<string, ErrorInfo | null | boolean>> | undefined;
  let r: Record<string, ErrorInfo | null | boolean>;
  beforeEach(async () => {
    r = await (pending ??= gpu.call('gpuObjectErrors'));
  });
  it('a call that fails after an upload holds no bytes afterwards', () => {
    expect(r.failedCallDType).toMatchObject({ name: 'DTypeError', argument: 'target' });
    expect(r.failedCallFreesBytes).toBe(true);
  });
  it('a bad option leaves the caller\'s buffer as it was', () => {
    expect(r.badOptionOnCallerBuffer).toMatchObject({ name: 'OptionError', argument: 'options.labelSmoothing' });
    expect(r.callerBufferUnchanged).toBe(true);
    expect(r.callerBufferSurvivesDestroy).toBe(true);
  });
  it('a lost device: calls and reads reject with DEVICE_LOST', () => {
    expect(r.afterLoss).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
    expect(r.readAfterLoss).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
  });
  it('a new context on a new device works after a loss', () => expect(r.newContextWorks).toBe(true));
  it('a disposed context rejects calls', () => expect(r.afterDispose).toMatchObject({ name: 'DeviceError', code: 'DISPOSED' }));
});
