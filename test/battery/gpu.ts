// GPU objects as tokens (buffers of any usage, mapped or destroyed; tensors, on this device or
// another; wrapped buffers; the outputs of a call), and their makers for the side that has a
// device (the test page, Dawn). Each object made is described for the snapshot by its contents
// read back, and freed after its case.
import type { GpuTensor, WebGPULoss } from '../../src/index';
import type { Makers, Scope, Token } from './make';

type Usage = 'STORAGE' | 'COPY_SRC' | 'COPY_DST' | 'UNIFORM' | 'MAP_READ';

export interface BufferSpec {
  bytes: number;
  /** Default STORAGE, COPY_SRC, COPY_DST. */
  usage?: Usage[];
  values?: number[];
  type?: 'Float32Array' | 'Int32Array' | 'BigInt64Array';
  /** Mapped at creation and left mapped. */
  mapped?: boolean;
  destroyed?: boolean;
  /** Made on another device. */
  other?: boolean;
}

export interface TensorSpec {
  values: number[];
  shape: number[];
  dtype?: 'float32' | 'int32';
  destroyed?: boolean;
  other?: boolean;
  /** Written by the call (a gradOut): left out of the snapshot. */
  written?: boolean;
}

export const G = {
  buffer: (spec: BufferSpec): Token => ({ $make: 'gpu.buffer', ...spec }),
  tensor: (spec: TensorSpec): Token => ({ $make: 'gpu.tensor', ...spec }),
  wrap: (buffer: Token, shape: unknown, dtype?: string, byteOffset?: number): Token => ({ $make: 'gpu.wrap', buffer, shape, dtype, byteOffset }),
  device: (which: 'this' | 'other'): Token => ({ $make: 'gpu.device', which }),
  /** The outputs of `wl[call](...args)`, `destroy` naming outputs to destroy first. */
  output: (call: string, args: unknown[], destroy: string[] = []): Token => ({ $make: 'gpu.output', call, args, destroy }),
};

/** A buffer's bytes in hex, copied out on `device` (it needs COPY_SRC). */
export async function readBuffer(device: GPUDevice, b: GPUBuffer): Promise<string> {
  const staging = device.createBuffer({ size: b.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(b, 0, staging, 0, b.size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const bytes = Array.from(new Uint8Array(staging.getMappedRange()), (x) => x.toString(16).padStart(2, '0')).join('');
  staging.destroy();
  return bytes;
}

const describeTensor = (t: GpuTensor) => async () => {
  if (t.isDestroyed) return 'GpuTensor(destroyed)';
  try {
    return `GpuTensor(${t.dtype} [${t.shape.join(', ')}] ${Array.from(await t.read()).join(',')})`;
  } catch (e) {
    return `GpuTensor(${t.dtype} [${t.shape.join(', ')}] unreadable: ${(e as Error).name})`;
  }
};

/** Registers a made tensor for the snapshot and for freeing after the case. */
function track(t: GpuTensor, scope: Scope): GpuTensor {
  scope.describe.set(t, describeTensor(t));
  scope.cleanup.push(() => t.destroy());
  return t;
}

/** Makers of the GPU tokens on `wl`'s device; `other` gives a WebGPULoss on a second device. */
export function gpuMakers(wl: WebGPULoss, other: () => Promise<WebGPULoss>): Makers {
  const on = async (t: Token) => (t.other ? other() : wl);
  return {
    'gpu.buffer': async (t, _build, scope) => {
      const s = t as unknown as BufferSpec;
      const { device } = await on(t);
      const usage = (s.usage ?? ['STORAGE', 'COPY_SRC', 'COPY_DST']).reduce((a, u) => a | GPUBufferUsage[u], 0);
      const mapped = Boolean(s.mapped) || (s.values !== undefined && !(usage & GPUBufferUsage.COPY_DST));
      const b = device.createBuffer({ label: 'test:battery', size: s.bytes, usage, mappedAtCreation: mapped });
      if (s.values) {
        const C = { Float32Array, Int32Array, BigInt64Array }[s.type ?? 'Float32Array'];
        const data = s.type === 'BigInt64Array' ? BigInt64Array.from(s.values, (v) => BigInt(v)) : new (C as Float32ArrayConstructor)(s.values);
        if (mapped) new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer));
        else device.queue.writeBuffer(b, 0, data);
      }
      if (mapped && !s.mapped) b.unmap();
      if (s.destroyed) b.destroy();
      const readable = !s.destroyed && !s.mapped && (usage & GPUBufferUsage.COPY_SRC) !== 0;
      scope.describe.set(b, async () => `GPUBuffer(${readable ? await readBuffer(device, b) : `${s.bytes} bytes, usage ${usage}${s.mapped ? ', mapped' : ''}${s.destroyed ? ', destroyed' : ''}`})`);
      scope.cleanup.push(() => b.destroy());
      return { value: b };
    },
    'gpu.tensor': async (t, _build, scope) => {
      const s = t as unknown as TensorSpec;
      const x = (await on(t)).tensor(s.values, s.shape, s.dtype ?? 'float32');
      if (s.destroyed) x.destroy();
      track(x, scope);
      if (s.written) scope.describe.set(x, async () => 'GpuTensor(written by the call)');
      return { value: x };
    },
    'gpu.wrap': async (t, build, scope) => {
      const b = (await build(t.buffer)).value as GPUBuffer;
      return { value: track(wl.wrap(b, t.shape as number[], t.dtype as 'float32' | undefined, t.byteOffset as number | undefined), scope) };
    },
    'gpu.device': async (t, _build, scope) => {
      const d = t.which === 'other' ? (await other()).device : wl.device;
      scope.describe.set(d, async () => `GPUDevice(${t.which})`);
      return { value: d };
    },
    'gpu.output': async (t, build, scope) => {
      const args = (await build(t.args)).value as unknown[];
      const out = (await (wl as unknown as Record<string, (...a: unknown[]) => Promise<Record<string, GpuTensor>>>)[String(t.call)](...args));
      for (const k of t.destroy as string[]) out[k].destroy();
      for (const v of Object.values(out)) if (typeof (v as Partial<GpuTensor>)?.destroy === 'function') track(v, scope);
      return { value: out };
    },
  };
}
