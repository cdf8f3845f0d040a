// The README's Node example (```ts area=node) run in Node on Dawn, as test/gpu/readme.test.ts
// runs the others in the page; the test machine's Vulkan driver is SwiftShader's.
import { it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lib from '../../src/index';
import { createNodeLoss } from '../../src/node';
import { readmeProgram } from '../util/readme';
import { vulkanIcd } from './dawn';

type Run = (...args: unknown[]) => Promise<void>;
const AsyncFunction = (async () => {}).constructor as new (...params: string[]) => Run;

it('the Node example gives a WebGPULoss on Dawn that computes', async () => {
  const program = readmeProgram(readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8'), 'node');
  expect(program.run.length).toBe(1);
  const modules: Record<string, unknown> = { 'webgpu-loss/node': { createNodeLoss: () => createNodeLoss({ vulkanIcd: vulkanIcd() }) } };
  const vars: Record<string, unknown> = {};
  await new AsyncFunction('require', 'exports', '__block', '__capture', 'console', 'page', program.program)(
    (n: string) => modules[n], {}, async () => {}, async (_: number, v: Record<string, unknown>) => Object.assign(vars, v), console, {});
  const wl = vars.wl as lib.WebGPULoss;
  try {
    expect(wl).toBeInstanceOf(lib.WebGPULoss);
    const p = await wl.softmax({ data: [0, Math.log(3)], shape: [1, 2] });
    expect(Array.from(await p.read()).map((v) => +v.toFixed(6))).toEqual([0.25, 0.75]);
  } finally {
    wl?.dispose();
  }
}, 120_000);
