// What the Node benchmark runs: the roofs and this library. TF.js has no WebGPU backend in Node,
// and its CPU peers say nothing about a GPU.
import { ROOFS } from './roof';
import { LIB } from './lib';
import type { ImplSpec } from './types';

export const NODE_IMPLS: ImplSpec[] = [...ROOFS, ...LIB];

export const NODE_DEFAULT_IMPLS = NODE_IMPLS.map((i) => i.id);
