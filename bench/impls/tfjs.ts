// TensorFlow.js 4.22 peers, each on its own backend (the WebGPU backend makes its own device; it
// shares nothing with the library's). Two forward formulations:
//   fast: mean(logSumExp(x, 1) - x.flat[r·V + y])  (gather from the flattened logits: gather with
//         batchDims = 1 returns garbage in 4.22). On the WebGPU backend gather rounds an index
//         above 2^24 through float32 (16777217 reads 16777216), so this is wrong past 16.7M
//         logits (2048×32000): the oracle check catches it and it is not timed there.
//   sce:  tf.losses.softmaxCrossEntropy(oneHot, x)  (one-hot built as int32 then cast: on wasm
//         tf.oneHot(..., 'float32') returns int bit patterns)
// and their gradients through tf.valueAndGrad. The one-hot and the flat indices are built once,
// outside the timed calls (which favours TF.js). Keras' sparse categorical crossentropy clips
// its input and is not used.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the @tensorflow/tfjs bundle does this import).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Inputs } from '../data';
import type { Env, ImplSpec, Instance } from './types';
import { Skip } from './types';

// Vite's URLs for the binaries: they resolve under the dev server and in the built site alike.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

type Backend = 'webgpu' | 'wasm' | 'cpu';
type Form = 'fast' | 'sce';

const backendReady = new Map<Backend, Promise<void>>();

async function useBackend(name: Backend): Promise<void> {
  if (!backendReady.has(name)) {
    backendReady.set(name, (async () => {
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`TF.js backend ${name} failed to initialise`);
      await tf.ready();
    })());
  }
  await backendReady.get(name);
  if (tf.getBackend() !== name) await tf.setBackend(name);
}

export const tfjsVersion = (): string => tf.version_core;

/** Threads the wasm backend runs (1 without cross-origin isolation: no SharedArrayBuffer). */
export function wasmThreads(): number | undefined {
  try {
    return tf.findBackend('wasm') ? getThreadsCount() : undefined;
  } catch {
    return undefined;
  }
}

/** Adapter TF.js's WebGPU backend runs on, for the report. */
export function tfjsWebgpuAdapter(): string {
  const b = tf.findBackend('webgpu') as unknown as { adapterInfo?: { vendor?: string; architecture?: string } } | null;
  const i = b?.adapterInfo;
  return i ? `${i.vendor ?? ''} ${i.architecture ?? ''}`.trim() : '';
}

async function setupTf(_env: Env, inp: Inputs, backend: Backend, form: Form, grad: boolean): Promise<Instance> {
  await useBackend(backend);
  const { rows, classes: V, logits, labels } = inp;
  if (backend === 'webgpu') {
    const limits = (tf.backend() as unknown as { device: GPUDevice }).device.limits;
    if (rows * V * 4 > limits.maxStorageBufferBindingSize) throw new Skip(`logits > TF.js device's maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}`);
  }
  const x = tf.tensor2d(logits, [rows, V]);
  const keep: tf.Tensor[] = [x];
  let loss: (x: tf.Tensor) => tf.Scalar;
  if (form === 'fast') {
    const flat = new Int32Array(rows);
    for (let r = 0; r < rows; r++) flat[r] = r * V + labels[r];
    const idx = tf.tensor1d(flat, 'int32');
    keep.push(idx);
    loss = (t) => tf.mean(tf.sub(tf.logSumExp(t, 1), tf.gather(tf.reshape(t, [-1]), idx)));
  } else {
    const oh = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), V, 1, 0, 'int32'), 'float32'));
    keep.push(oh);
    loss = (t) => tf.losses.softmaxCrossEntropy(oh, t) as tf.Scalar;
  }
  const vg = grad ? tf.valueAndGrad(loss) : undefined;
  const run = (): tf.Tensor[] => tf.tidy(() => {
    if (!vg) return [loss(x)];
    const { value, grad: g } = vg(x);
    return [value, g];
  });
  // Materialise the inputs on the backend before any timing.
  await Promise.all(keep.map((t) => t.data()));
  let last: tf.Tensor[] | undefined;
  let lastLoss = NaN;
  const drop = () => {
    last?.forEach((t) => t.dispose());
    last = undefined;
  };
  return {
    async call() {
      drop();
      const out = run();
      last = out;
      lastLoss = (await out[0].data())[0];
    },
    async result() {
      if (!last) throw new Error('no call yet');
      return { value: lastLoss, grad: grad ? ((await last[1].data()) as Float32Array) : undefined };
    },
    queue: backend === 'webgpu' ? async (k: number) => {
      drop();
      for (let i = 0; i < k; i++) {
        const out = run();
        if (i === k - 1) await out[0].data();
        out.forEach((t) => t.dispose());
      }
    } : undefined,
    dispose() {
      drop();
      keep.forEach((t) => t.dispose());
    },
  };
}

export const TFJS: ImplSpec[] = [
  { id: 'tfjs-webgpu', label: 'TF.js WebGPU: logSumExp − gather', backend: 'webgpu', work: 'forward', setup: (e, i) => setupTf(e, i, 'webgpu', 'fast', false) },
  { id: 'tfjs-webgpu-sce', label: 'TF.js WebGPU: losses.softmaxCrossEntropy', backend: 'webgpu', work: 'forward', setup: (e, i) => setupTf(e, i, 'webgpu', 'sce', false) },
  { id: 'tfjs-webgpu-grad', label: 'TF.js WebGPU: valueAndGrad(logSumExp − gather)', backend: 'webgpu', work: 'fused', setup: (e, i) => setupTf(e, i, 'webgpu', 'fast', true) },
  { id: 'tfjs-webgpu-sce-grad', label: 'TF.js WebGPU: valueAndGrad(softmaxCrossEntropy)', backend: 'webgpu', work: 'fused', setup: (e, i) => setupTf(e, i, 'webgpu', 'sce', true) },
  { id: 'tfjs-wasm', label: 'TF.js wasm: logSumExp − gather', backend: 'wasm', work: 'forward', slow: true, setup: (e, i) => setupTf(e, i, 'wasm', 'fast', false) },
  { id: 'tfjs-cpu', label: 'TF.js cpu: logSumExp − gather', backend: 'cpu', work: 'forward', slow: true, setup: (e, i) => setupTf(e, i, 'cpu', 'fast', false) },
];
