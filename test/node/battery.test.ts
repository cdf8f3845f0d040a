// The bad-input battery in Node on Dawn: createNodeLoss's options, and the cases whose data sit
// in SharedArrayBuffers (which the browser page makes only from WebAssembly memory) on a
// WebGPULoss that Dawn uploads from.
import { afterAll } from 'vitest';
import type { WebGPULoss } from '../../src/index';
import { createNodeLoss } from '../../src/node';
import type { Case } from '../battery/case';
import { gpuEntries } from '../battery/entries';
import { describeBattery } from '../battery/expect';
import { gpuMakers } from '../battery/gpu';
import { crossEntropyHealth, runCases } from '../battery/run';
import { TABLES } from '../battery/tables';
import { NODE_CASES } from '../battery/node';
import { dawnLoss, vulkanIcd } from './dawn';

/** The token the table writes for this machine's Vulkan driver manifest. */
const icd = { vulkanIcd: () => ({ value: vulkanIcd() }) };
const made: WebGPULoss[] = [];
const loss = async () => {
  const wl = await dawnLoss();
  made.push(wl);
  return wl;
};
afterAll(() => made.forEach((wl) => wl.dispose()));

describeBattery('createNodeLoss options', NODE_CASES, 'node', async (cases: Case[]) => {
  const wl = await loss();
  return runCases(cases, { createNodeLoss: (o) => createNodeLoss(o as never) }, icd, () => crossEntropyHealth(gpuEntries(wl).crossEntropy));
});

const shared = TABLES.flatMap(([, cases]) => cases).filter((c) => c.name.includes('SharedArrayBuffer'));
describeBattery('SharedArrayBuffer-backed data on Dawn', shared, 'gpu', async (cases: Case[]) => {
  const wl = await loss();
  const entries = gpuEntries(wl);
  return runCases(cases, entries, gpuMakers(wl, loss), () => crossEntropyHealth(entries.crossEntropy));
});
