// Runs the README's examples (the programs test/util/readme.ts builds from README.md) against
// the library: once, returning what each block defined and printed as plain data; and in a loop,
// returning what the library (and TF.js) hold after each pass, which must stay flat: an example
// that a reader copies into a loop must not leak.
import * as lib from '../../../src/index';
import * as reference from '../../../src/reference/index';

type Run = (...args: unknown[]) => Promise<void>;
const AsyncFunction = (async () => {}).constructor as new (...params: string[]) => Run;

export interface ReadmeRun {
  /** By block line: the values of the names the block (and its fixtures) defined. */
  vars: Record<number, Record<string, unknown>>;
  /** Each console.log / console.warn call, with the line of the block that made it. */
  printed: { line: number; values: unknown[] }[];
}

/** What each pass of a loop left held: the library's tensors, bytes and pipelines; TF.js's tensors. */
export interface ReadmeLoop {
  tensors: number[];
  bytes: number[];
  pipelines: number[];
  tfTensors?: number[];
}

/** An area's README setting: the modules its examples import, values for its fixtures, and counters. */
export interface ReadmeArea {
  /** By the names the README imports them under. */
  modules: Record<string, unknown>;
  /** Given to the fixtures as `page`. */
  page?: Record<string, unknown>;
  /** Objects besides WebGPULoss and CpuLoss that the examples make and the run disposes at its end. */
  isContext?: (v: object) => boolean;
  /**
   * The modules for a loop: the examples' factories (`WebGPULoss.create`, `TfjsLoss.create`, …)
   * give the one `shared` object, so what the library holds can be counted across passes.
   */
  shared(): Promise<{ modules: Record<string, unknown>; wl: lib.WebGPULoss; tfTensors?: () => number; dispose(): void }>;
}

const LIBRARY: Record<string, unknown> = { 'webgpu-loss': lib, 'webgpu-loss/reference': reference };

/** `cls` with its static `create` (and nothing else) answering `made`. */
export function createGives<T extends object>(cls: T, made: unknown): T {
  return new Proxy(cls, { get: (t, k) => (k === 'create' ? async () => made : Reflect.get(t, k)) });
}

/** GPU tensors read (a disposed one named so), contexts kept for disposal, other objects named by their class. */
async function plain(v: unknown, contexts: Set<{ dispose(): void }>, isContext?: (v: object) => boolean): Promise<unknown> {
  if (v instanceof lib.GpuTensor) return v.isDestroyed ? 'a disposed GpuTensor' : v.read();
  if (v instanceof lib.WebGPULoss || v instanceof lib.CpuLoss || (typeof v === 'object' && v !== null && isContext?.(v))) contexts.add(v as { dispose(): void });
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return Promise.all(v.map((x) => plain(x, contexts, isContext)));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `a ${proto.constructor?.name ?? 'object'}`;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = await plain(x, contexts, isContext);
  return out;
}

interface Hooks {
  block(line: number): Promise<void>;
  capture(line: number, vars: Record<string, unknown>): Promise<void>;
  print(...values: unknown[]): void;
}

async function execute(program: string, modules: Record<string, unknown>, page: Record<string, unknown>, hooks: Hooks, at: () => number): Promise<void> {
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`it imports '${name}', which the test page does not provide here (mark the block no-run, or give it an area?)`);
    return modules[name];
  };
  try {
    await new AsyncFunction('require', 'exports', '__block', '__capture', 'console', 'page', program)(
      require, {}, hooks.block, hooks.capture, { log: hooks.print, warn: hooks.print }, page);
  } catch (e) {
    throw new Error(`README.md, the block at line ${at()}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The handlers `readme(program)` and `readmeLoop(program, passes)` for one area of the page. */
export function readmeHandlers(area: ReadmeArea) {
  const modules = { ...LIBRARY, ...area.modules };
  const page = area.page ?? {};

  async function readme(program: string): Promise<ReadmeRun> {
    const run: ReadmeRun = { vars: {}, printed: [] };
    const contexts = new Set<{ dispose(): void }>();
    let line = 0;
    try {
      await execute(program, modules, page, {
        block: async (l) => { line = l; },
        capture: async (l, vars) => { run.vars[l] = (await plain(vars, contexts, area.isContext)) as Record<string, unknown>; },
        print: (...values) => run.printed.push({ line, values }),
      }, () => line);
      run.printed = (await plain(run.printed, contexts, area.isContext)) as ReadmeRun['printed'];
    } finally {
      for (const c of contexts) c.dispose();
    }
    return run;
  }

  async function readmeLoop(program: string, passes: number): Promise<ReadmeLoop> {
    const shared = await area.shared();
    const out: ReadmeLoop = { tensors: [], bytes: [], pipelines: [], ...(shared.tfTensors ? { tfTensors: [] } : {}) };
    let line = 0;
    try {
      for (let i = 0; i < passes; i++) {
        await execute(program, { ...modules, ...shared.modules }, page, {
          block: async (l) => { line = l; },
          capture: async () => {},
          print: () => {},
        }, () => line);
        const s = shared.wl.stats();
        out.tensors.push(s.tensors);
        out.bytes.push(s.bytes);
        out.pipelines.push(s.pipelines);
        out.tfTensors?.push(shared.tfTensors!());
      }
    } finally {
      shared.dispose();
    }
    return out;
  }

  return { readme, readmeLoop };
}

/** The library area: the examples' own WebGPULoss; in a loop, one shared by every pass. */
export const handlers = readmeHandlers({
  modules: {},
  shared: async () => {
    const wl = await lib.WebGPULoss.create();
    return {
      wl,
      modules: { 'webgpu-loss': { ...lib, WebGPULoss: createGives(lib.WebGPULoss, wl), createLoss: async () => wl } },
      dispose: () => wl.dispose(),
    };
  },
});
