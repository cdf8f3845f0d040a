// What a shape's timed rows imply about each other: bandwidth, fraction of the roof, speed-ups
// over the peers. Pure, and run again after a reference run is merged in.
import { omission } from './format';
import type { ImplResult, ShapeResult, Work } from './types';

/** Bytes the work must move at least (logits read; + gradient written; + labels). */
export function bytesFor(work: Work, rows: number, V: number): number {
  const x = rows * V * 4;
  switch (work) {
    case 'forward': return x + rows * 4;
    case 'fused': return 2 * x + rows * 4;
    case 'roof-read': case 'roof-exp': return x;
    case 'roof-rw': return 2 * x;
    case 'forward-f16': return x / 2 + rows * 4;
    case 'roof-read-f16': return x / 2;
  }
}

/** The roof each work is held to: float32 reads, reads and writes, or float16 reads. */
const ROOF_OF: Record<Work, string> = {
  forward: 'roof-read', fused: 'roof-rw', 'roof-read': 'roof-read', 'roof-rw': 'roof-rw', 'roof-exp': 'roof-read',
  'forward-f16': 'roof-read-f16', 'roof-read-f16': 'roof-read-f16',
};

const PEERS = {
  tfjs: { forward: ['tfjs-webgpu', 'tfjs-webgpu-sce'], fused: ['tfjs-webgpu-grad', 'tfjs-webgpu-sce-grad'] },
  torch: { forward: ['torch-cuda', 'torch-compile'], fused: ['torch-cuda-grad', 'torch-compile-grad'] },
};

/** TF.js WebGPU formulations of `work` that ran on the shape without a time: "vs TF.js WebGPU"
 *  is then against the others only. */
export function untimedTfjs(shape: ShapeResult, work: Work): ImplResult[] {
  const ids: string[] = work === 'forward' || work === 'fused' ? PEERS.tfjs[work] : [];
  return shape.impls.filter((r) => ids.includes(r.id) && omission(r));
}

export function derive(shape: ShapeResult): void {
  const by = new Map(shape.impls.map((r) => [r.id, r]));
  const ok = (r: ImplResult | undefined) => (r && r.check?.ok && r.wall ? r : undefined);
  const roofOf = (w: Work) => ok(by.get(ROOF_OF[w]));
  const expRoof = ok(by.get('roof-exp'));
  const peers = (ids: Record<'forward' | 'fused', string[]>, w: Work) =>
    (w === 'forward' || w === 'fused' ? ids[w] : []).map((id) => ok(by.get(id))).filter((r): r is ImplResult => Boolean(r));
  for (const r of shape.impls) {
    if (!ok(r)) continue;
    const med = r.wall!.median;
    r.gbps = r.bytes / (med * 1e6);
    if (r.gpu) r.gpuGbps = r.bytes / (r.gpu.median * 1e6);
    const roof = roofOf(r.work);
    if (roof) {
      r.ofRoof = roof.wall!.median / med;
      if (roof.steady && r.steady) r.ofRoofSteady = roof.steady.perCall / r.steady.perCall;
      if (roof.gpu && r.gpu) r.ofRoofGpu = roof.gpu.median / r.gpu.median;
    }
    if (r.work === 'forward' && expRoof) r.ofExpRoof = expRoof.wall!.median / med;
    const tf = peers(PEERS.tfjs, r.work);
    if (tf.length) r.vsTfjsWebgpu = Math.min(...tf.map((p) => p.wall!.median)) / med;
    // GPU time against GPU time where both have it (launch and readback latency differ by API).
    const torch = peers(PEERS.torch, r.work);
    if (torch.length && !r.id.startsWith('torch-')) {
      const gpu = Boolean(r.gpu) && torch.every((p) => p.gpu);
      r.vsTorch = Math.min(...torch.map((p) => (gpu ? p.gpu! : p.wall!).median)) / (gpu ? r.gpu! : r.wall!).median;
    }
  }
}
