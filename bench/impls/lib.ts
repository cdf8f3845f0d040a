// This library: crossEntropy with sparse labels, mean reduction; forward only, and fused with the
// gradient (into a reused gradOut buffer, as a training loop does, or into a new tensor per call
// with grad: true), and forward on float16 logits. Inputs are uploaded once as GpuTensors; every
// call is one submit.
import type { GpuTensor, LossOutputs } from '../../src/index';
import type { Inputs } from '../data';
import type { Env, ImplSpec, Instance } from './types';
import { Skip } from './types';
import { halfInputs } from '../data';

type Mode = 'forward' | 'gradOut' | 'grad' | 'forward-f16';

async function setupLib(env: Env, inp: Inputs, mode: Mode): Promise<Instance> {
  const { wl } = env;
  const { rows, classes, logits, labels } = inp;
  const bytes = rows * classes * 4;
  if (bytes > wl.device.limits.maxBufferSize) throw new Skip(`logits (${bytes} bytes) > maxBufferSize ${wl.device.limits.maxBufferSize}`);
  const x = mode === 'forward-f16' ? wl.tensor(halfInputs(inp).bits, [rows, classes], 'float16') : wl.tensor(logits, [rows, classes]);
  const y = wl.tensor(labels, [rows]);
  let gBuf: GPUBuffer | undefined;
  let gOut: GpuTensor | undefined;
  if (mode === 'gradOut') {
    gBuf = wl.device.createBuffer({ label: 'bench:gradOut', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    gOut = wl.wrap(gBuf, [rows, classes]);
  }
  await wl.device.queue.onSubmittedWorkDone();
  const opts = mode === 'forward' || mode === 'forward-f16' ? {} : mode === 'grad' ? { grad: true } : { gradOut: gOut };
  const release = (o: LossOutputs) => {
    o.loss.destroy();
    o.invalidLabels?.destroy();
    if (mode === 'grad') o.grad?.destroy(); // gradOut is ours and reused
  };
  let last: LossOutputs | undefined;
  let lastLoss = NaN;
  return {
    bracketed: true,
    note: mode === 'gradOut' ? 'gradient into one reused gradOut buffer' : mode === 'grad' ? 'grad: true, a new gradient tensor per call' : undefined,
    async call(bracket) {
      if (last) release(last);
      last = undefined;
      bracket?.begin();
      // Resolves once the call's work is submitted (not done), so end() is queued after it.
      const out = await wl.crossEntropy(x, y, opts);
      bracket?.end();
      last = out;
      lastLoss = (await out.loss.read())[0];
    },
    async result() {
      if (!last) throw new Error('no call yet');
      return { value: lastLoss, grad: mode === 'forward' || mode === 'forward-f16' ? undefined : (await last.grad!.read()) as Float32Array };
    },
    async queue(k: number) {
      if (last) release(last);
      last = undefined;
      for (let i = 0; i < k; i++) {
        const out = await wl.crossEntropy(x, y, opts);
        if (i === k - 1) await out.loss.read();
        release(out); // freed once the submitted work using it is done
      }
    },
    dispose() {
      if (last) release(last);
      x.destroy();
      y.destroy();
      gBuf?.destroy();
    },
  };
}

export const LIB: ImplSpec[] = [
  { id: 'lib', label: 'webgpu-loss forward', backend: 'webgpu', work: 'forward', setup: (e, i) => setupLib(e, i, 'forward') },
  { id: 'lib-grad', label: 'webgpu-loss forward+grad (gradOut)', backend: 'webgpu', work: 'fused', setup: (e, i) => setupLib(e, i, 'gradOut') },
  { id: 'lib-grad-new', label: 'webgpu-loss forward+grad (grad: true)', backend: 'webgpu', work: 'fused', setup: (e, i) => setupLib(e, i, 'grad') },
  { id: 'lib-f16', label: 'webgpu-loss forward, float16 logits', backend: 'webgpu', work: 'forward-f16', setup: (e, i) => setupLib(e, i, 'forward-f16') },
];
