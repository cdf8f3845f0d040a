// Diagnostic page for tuning the cross-entropy kernels (driven by bench/profile.mjs): times the
// library's call against the read roof in one page, with shader variants made by text patches of
// the kernel (a part switched off, say), interleaved round by round so the noise of a shared CPU
// adapter hits every variant alike. Variants' results are not checked (a patch may break them);
// the benchmark (npm run bench) is the checked measurement.
import { WebGPULoss } from '../src/index';
import { FAMILIES, SOURCES } from '../src/gpu/shaders';
import { mulberry32, randomLabels, randomLogits } from '../src/reference/random';
import { ROOFS } from './impls/roof';
import { probeLoads } from './probe-loads';
import type { Inputs } from './data';

interface Variant {
  name: string;
  /** Cross-entropy's whole source to use instead of the built-in one (SOURCES.crossEntropy: its declarations and files; e.g. an older cross_entropy.wgsl). */
  source?: string;
  /** [from, to] text replacements in the cross-entropy shader (both module variants). */
  patches?: [string, string][];
  /** Call options (default: forward, mean). 'gradOut' makes a reused gradient buffer. */
  mode?: 'forward' | 'gradOut';
  /** Extra call options (e.g. reduction: 'none'). */
  opts?: Record<string, unknown>;
  /** Create options of the library context. */
  create?: { subgroups?: boolean };
  /** The family's storage binding kinds, when a variant changes an access mode. */
  bindings?: ('read' | 'rw')[];
}

interface ProfileOptions {
  shapes: [number, number][];
  variants: Variant[];
  rounds: number;
  /** Calls queued before one readback (steady state). */
  k: number;
}

declare global {
  interface Window {
    __profile: (o: ProfileOptions) => Promise<unknown>;
  }
}

const ceSource = SOURCES.crossEntropy;
const fam = FAMILIES.crossEntropy as { code: string; sgCode?: string; bindings: readonly ('read' | 'rw')[] };
const original = { code: fam.code, sgCode: fam.sgCode, bindings: fam.bindings };

function patch(v: Variant): void {
  let code = original.code;
  let sg = original.sgCode ?? '';
  if (v.source) {
    code = code.replace(ceSource, v.source);
    sg = sg.replace(ceSource, v.source);
  }
  for (const [a, b] of v.patches ?? []) {
    if (!code.includes(a)) throw new Error(`variant ${v.name}: patch text not found: ${a.slice(0, 60)}`);
    code = code.split(a).join(b);
    sg = sg.split(a).join(b);
  }
  fam.code = code;
  fam.sgCode = sg;
  fam.bindings = v.bindings ?? original.bindings;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Timed {
  wall: number;
  steady: number;
  first?: number;
}

/** A variant's context, compiled on its first call (timed), then timed again each round. */
async function setupLib(v: Variant, inp: Inputs, k: number): Promise<{ time(): Promise<Timed>; first: number; dispose(): void }> {
  patch(v);
  const wl = await WebGPULoss.create(v.create ?? {});
  const x = wl.tensor(inp.logits, [inp.rows, inp.classes]);
  const y = wl.tensor(inp.labels, [inp.rows]);
  let g: GPUBuffer | undefined;
  const opts: Record<string, unknown> = { ...v.opts };
  if (v.mode === 'gradOut') {
    g = wl.device.createBuffer({ size: inp.logits.byteLength, usage: GPUBufferUsage.STORAGE });
    opts.gradOut = wl.wrap(g, [inp.rows, inp.classes]);
  }
  const one = async () => {
    const o = await wl.crossEntropy(x, y, opts);
    await o.loss.read();
    o.loss.destroy();
    o.invalidLabels?.destroy();
  };
  let first = 0;
  try {
    const t0 = performance.now();
    await one(); // compiles, with this variant's shader text
    first = performance.now() - t0;
  } finally {
    fam.code = original.code;
    fam.sgCode = original.sgCode;
    fam.bindings = original.bindings;
  }
  return {
    first,
    async time() {
      const walls: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await one();
        walls.push(performance.now() - t0);
      }
      const t0 = performance.now();
      for (let i = 0; i < k; i++) {
        const o = await wl.crossEntropy(x, y, opts);
        if (i === k - 1) await o.loss.read();
        o.loss.destroy();
        o.invalidLabels?.destroy();
      }
      return { wall: median(walls), steady: (performance.now() - t0) / k };
    },
    dispose() {
      g?.destroy();
      wl.dispose();
      wl.device.destroy();
    },
  };
}

async function timeRoof(kind: 'roof-read' | 'roof-rw', inp: Inputs, k: number): Promise<{ wall: number; steady: number }> {
  const wl = await WebGPULoss.create();
  try {
    const spec = ROOFS.find((r) => r.id === kind)!;
    const inst = await spec.setup({ wl, quick: true, progress: () => {} }, inp);
    const walls: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await inst.call();
      walls.push(performance.now() - t0);
    }
    const t0 = performance.now();
    await inst.queue!(k);
    const steady = (performance.now() - t0) / k;
    await inst.dispose();
    return { wall: median(walls), steady };
  } finally {
    wl.dispose();
    wl.device.destroy();
  }
}

window.__profile = async (o: ProfileOptions) => {
  const out: unknown[] = [];
  for (const [rows, classes] of o.shapes) {
    const rng = mulberry32(rows * 7919 + classes);
    const inp: Inputs = { rows, classes, logits: randomLogits(rng, rows, classes, 2), labels: randomLabels(rng, rows, classes), expected: NaN };
    const acc: Record<string, { wall: number[]; steady: number[]; first: number[] }> = {};
    const push = (name: string, r: { wall: number; steady: number; first?: number }) => {
      const a = (acc[name] ??= { wall: [], steady: [], first: [] });
      a.wall.push(r.wall);
      a.steady.push(r.steady);
      if (r.first !== undefined) a.first.push(r.first);
    };
    const needRw = o.variants.some((v) => v.mode === 'gradOut');
    const libs = [];
    for (const v of o.variants) libs.push(await setupLib(v, inp, o.k));
    for (let round = 0; round < o.rounds; round++) {
      push('roof-read', await timeRoof('roof-read', inp, o.k));
      if (needRw) push('roof-rw', await timeRoof('roof-rw', inp, o.k));
      for (const [i, v] of o.variants.entries()) push(v.name, { ...(await libs[i].time()), first: libs[i].first });
    }
    for (const l of libs) l.dispose();
    const res = Object.fromEntries(Object.entries(acc).map(([n, a]) => [n, { wall: median(a.wall), steady: median(a.steady), first: a.first.length ? median(a.first) : undefined }]));
    out.push({ shape: `${rows}x${classes}`, res });
  }
  return out;
};

(window as unknown as { __ready: Promise<unknown> }).__ready = (async () => {
  const a = await navigator.gpu?.requestAdapter();
  return a ? { ok: true } : { ok: false, error: 'no adapter' };
})();

(window as unknown as { __loads: unknown }).__loads = async (rows: number, cols: number, rounds: number, k: number) => {
  const wl = await WebGPULoss.create();
  try {
    return await probeLoads(wl.device, rows, cols, rounds, k);
  } finally {
    wl.dispose();
    wl.device.destroy();
  }
};
