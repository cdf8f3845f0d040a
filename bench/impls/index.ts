// Every implementation the page benchmarks, in the order the table lists them.
import { ROOFS } from './roof';
import { LIB } from './lib';
import { TFJS } from './tfjs';
import { JS } from './js';
import type { ImplSpec } from './types';

export const IMPLS: ImplSpec[] = [...ROOFS, ...LIB, ...TFJS, ...JS];

/** Ids run by default: all of them. */
export const DEFAULT_IMPLS = IMPLS.map((i) => i.id);
