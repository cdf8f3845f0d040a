// Runs the README's examples (the program test/util/readme.ts builds from README.md) against
// the library, and returns what each block defined and what it printed, as plain data.
import * as lib from '../../../src/index';
import * as reference from '../../../src/reference/index';

/** What the examples may import, by the names the README imports them under. */
const MODULES: Record<string, unknown> = { 'webgpu-loss': lib, 'webgpu-loss/reference': reference };

type Run = (...args: unknown[]) => Promise<void>;
const AsyncFunction = (async () => {}).constructor as new (...params: string[]) => Run;

export interface ReadmeRun {
  /** By block line: the values of the names the block (and its fixtures) defined. */
  vars: Record<number, Record<string, unknown>>;
  /** Each console.log / console.warn call, with the line of the block that made it. */
  printed: { line: number; values: unknown[] }[];
}

/** GPU tensors read, contexts kept for disposal, other objects named by their class. */
async function plain(v: unknown, contexts: Set<{ dispose(): void }>): Promise<unknown> {
  if (v instanceof lib.GpuTensor) return v.read();
  if (v instanceof lib.WebGPULoss || v instanceof lib.CpuLoss) contexts.add(v);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return Promise.all(v.map((x) => plain(x, contexts)));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `a ${proto.constructor?.name ?? 'object'}`;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = await plain(x, contexts);
  return out;
}

async function readme(program: string): Promise<ReadmeRun> {
  const run: ReadmeRun = { vars: {}, printed: [] };
  const contexts = new Set<{ dispose(): void }>();
  let line = 0;
  const print = (...values: unknown[]) => run.printed.push({ line, values });
  const require = (name: string) => {
    if (!(name in MODULES)) throw new Error(`it imports '${name}', which the test page does not provide (mark the block no-run?)`);
    return MODULES[name];
  };
  const block = async (l: number) => { line = l; };
  const capture = async (l: number, vars: Record<string, unknown>) => { run.vars[l] = (await plain(vars, contexts)) as Record<string, unknown>; };
  try {
    await new AsyncFunction('require', 'exports', '__block', '__capture', 'console', program)(require, {}, block, capture, { log: print, warn: print });
    run.printed = (await plain(run.printed, contexts)) as ReadmeRun['printed'];
  } catch (e) {
    throw new Error(`README.md, the block at line ${line}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    for (const c of contexts) c.dispose();
  }
  return run;
}

export const handlers = { readme };
