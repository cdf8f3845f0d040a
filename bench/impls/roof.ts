// The roof on the library's device: bench/roof.wgsl, with the grid tuned per shape (the best of a
// few workgroup counts and sizes, so the roof is the best a trivial kernel reaches here).
import roofWgsl from '../roof.wgsl?raw';
import roof16Wgsl from '../roof16.wgsl?raw';
import { halfInputs } from '../data';
import type { Inputs } from '../data';
import type { Bracket } from '../gpu-timer';
import type { Env, ImplSpec, Instance } from './types';
import { Skip } from './types';

const USAGE_STORAGE = 0x80; // GPUBufferUsage.STORAGE (the constants need a WebGPU page)

/** Workgroup counts to try: few fat workgroups on a CPU adapter, many on a GPU. */
function gridCandidates(fallback: boolean, n4: number): { wg: number; groups: number }[] {
  const counts = fallback ? [2, 4, 8, 16, 32, 64] : [128, 512, 2048, 8192, 32768, 65535];
  const out: { wg: number; groups: number }[] = [];
  for (const wg of [64, 256]) {
    const cap = Math.max(1, Math.ceil(n4 / wg));
    for (const g of new Set(counts.map((c) => Math.min(c, cap)))) out.push({ wg, groups: g });
  }
  return out;
}

// read16: float16 logits (bench/roof16.wgsl), two per word.
type RoofKind = 'read' | 'rw' | 'exp' | 'read16';

async function setupRoof(env: Env, inp: Inputs, kind: RoofKind): Promise<Instance> {
  const write = kind === 'rw';
  const device = env.wl.device;
  const half = kind === 'read16';
  const n = inp.logits.length;
  // vec4s of float32, or vec4<u32>s of eight float16 values each.
  const n4 = Math.ceil(n / (half ? 8 : 4));
  const bytes = n4 * 16;
  const lim = device.limits;
  if (bytes > lim.maxBufferSize) throw new Skip(`${bytes} bytes > maxBufferSize ${lim.maxBufferSize}`);
  // The padding past n is zeros: exp(0) = 1 each, taken off the exp sum below.
  const padCount = half ? 0 : n4 * 4 - n;
  // Row-agnostic chunks of at most one binding, 256-byte aligned offsets.
  const chunkBytes = Math.floor(lim.maxStorageBufferBindingSize / 256) * 256;
  const chunks: { offset: number; size: number }[] = [];
  for (let off = 0; off < bytes; off += chunkBytes) chunks.push({ offset: off, size: Math.min(chunkBytes, bytes - off) });

  const X = device.createBuffer({ label: 'bench:roof:X', size: bytes, usage: USAGE_STORAGE | GPUBufferUsage.COPY_DST });
  const padded = half ? new Uint16Array(n4 * 8) : new Float32Array(n4 * 4);
  padded.set(half ? halfInputs(inp).bits : inp.logits);
  device.queue.writeBuffer(X, 0, padded);
  const Y = write ? device.createBuffer({ label: 'bench:roof:Y', size: bytes, usage: USAGE_STORAGE | GPUBufferUsage.COPY_SRC }) : null;
  const dummyY = write ? null : device.createBuffer({ label: 'bench:roof:unusedY', size: 16, usage: USAGE_STORAGE });
  const maxGroups = 65535;
  const S = device.createBuffer({ label: 'bench:roof:S', size: maxGroups * chunks.length * 4, usage: USAGE_STORAGE | GPUBufferUsage.COPY_SRC });
  const U = device.createBuffer({ label: 'bench:roof:uniforms', size: chunks.length * 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const staging = device.createBuffer({ label: 'bench:roof:staging', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  const module = device.createShaderModule({ label: 'bench:roof', code: half ? roof16Wgsl : roofWgsl });
  // An explicit layout: 'auto' would drop Y from the read-only entry's layout.
  const bgl = device.createBindGroupLayout({
    label: 'bench:roof',
    entries: (['uniform', 'read-only-storage', 'storage', 'storage'] as GPUBufferBindingType[])
      .map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
  });
  const layout = device.createPipelineLayout({ label: 'bench:roof', bindGroupLayouts: [bgl] });
  const entry = `roof_${kind}`;
  const pipelines = new Map<number, GPUComputePipeline>();
  const pipeline = async (wg: number) => {
    let p = pipelines.get(wg);
    if (!p) {
      p = await device.createComputePipelineAsync({ label: `bench:roof:${entry}:${wg}`, layout, compute: { module, entryPoint: entry, constants: { WG: wg } } });
      pipelines.set(wg, p);
    }
    return p;
  };

  let pick = { wg: 64, groups: 16 };
  let binds: GPUBindGroup[] = [];
  let pipe: GPUComputePipeline;
  const configure = async (c: { wg: number; groups: number }) => {
    pick = c;
    pipe = await pipeline(c.wg);
    const u = new Uint32Array(chunks.length * 64);
    chunks.forEach((ch, i) => {
      u[i * 64] = ch.size / 16;
      u[i * 64 + 1] = i * c.groups;
    });
    device.queue.writeBuffer(U, 0, u);
    binds = chunks.map((ch, i) => device.createBindGroup({
      layout: bgl,
      entries: [
        { binding: 0, resource: { buffer: U, offset: i * 256, size: 16 } },
        { binding: 1, resource: { buffer: X, offset: ch.offset, size: ch.size } },
        { binding: 2, resource: { buffer: S } },
        { binding: 3, resource: Y ? { buffer: Y, offset: ch.offset, size: ch.size } : { buffer: dummyY! } },
      ],
    }));
  };
  const encode = (enc: GPUCommandEncoder) => {
    const pass = enc.beginComputePass({ label: `bench:roof:${entry}` });
    pass.setPipeline(pipe);
    binds.forEach((b) => {
      pass.setBindGroup(0, b);
      pass.dispatchWorkgroups(pick.groups);
    });
    pass.end();
  };
  const readBack = async () => {
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(S, 0, staging, 0, 16);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    staging.unmap();
  };
  const call = async (bracket?: Bracket) => {
    const enc = device.createCommandEncoder({ label: 'bench:roof' });
    encode(enc);
    bracket?.begin();
    device.queue.submit([enc.finish()]);
    bracket?.end();
    await readBack();
  };

  // Tune the grid: a warm call, then the median of 3, per candidate; the fastest wins.
  let best = Infinity;
  let bestC = pick;
  for (const c of gridCandidates(env.wl.adapter.isFallback, n4)) {
    await configure(c);
    await call();
    const t: number[] = [];
    for (let i = 0; i < (env.quick ? 2 : 3); i++) {
      const t0 = performance.now();
      await call();
      t.push(performance.now() - t0);
    }
    t.sort((a, b) => a - b);
    const med = t[Math.floor(t.length / 2)];
    if (med < best) {
      best = med;
      bestC = c;
    }
  }
  await configure(bestC);

  const readAll = async (buf: GPUBuffer, size: number): Promise<Float32Array> => {
    const st = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buf, 0, st, 0, size);
    device.queue.submit([enc.finish()]);
    await st.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(st.getMappedRange().slice(0));
    st.destroy();
    return out;
  };

  return {
    bracketed: true,
    note: `${pick.groups} workgroups × ${pick.wg}${chunks.length > 1 ? ` × ${chunks.length} bindings` : ''}`,
    call,
    async result() {
      const parts = await readAll(S, pick.groups * chunks.length * 4);
      let value = kind === 'exp' ? -padCount : 0;
      for (const v of parts) value += v;
      return { value, grad: Y ? (await readAll(Y, bytes)).subarray(0, n) : undefined };
    },
    async queue(k: number) {
      for (let i = 0; i < k; i++) {
        const enc = device.createCommandEncoder({ label: 'bench:roof' });
        encode(enc);
        device.queue.submit([enc.finish()]);
      }
      await readBack();
    },
    dispose() {
      for (const b of [X, Y, dummyY, S, U, staging]) b?.destroy();
    },
  };
}

export const ROOFS: ImplSpec[] = [
  { id: 'roof-read', label: 'roof: read logits once', backend: 'webgpu', work: 'roof-read', setup: (e, i) => setupRoof(e, i, 'read') },
  { id: 'roof-rw', label: 'roof: read once + write once', backend: 'webgpu', work: 'roof-rw', setup: (e, i) => setupRoof(e, i, 'rw') },
  { id: 'roof-exp', label: 'diagnostic: read once + one exp per logit', backend: 'webgpu', work: 'roof-exp', setup: (e, i) => setupRoof(e, i, 'exp') },
  { id: 'roof-read-f16', label: 'roof: read float16 logits once', backend: 'webgpu', work: 'roof-read-f16', setup: (e, i) => setupRoof(e, i, 'read16') },
];
