// Every implementation the benchmark knows, in the order the table lists them.
import { ROOFS } from './roof';
import { LIB } from './lib';
import { TFJS } from './tfjs';
import { JS } from './js';
import type { ImplSpec } from './types';

export const IMPLS: ImplSpec[] = [...ROOFS, ...LIB, ...TFJS, ...JS];

/** Ids run by default: all of them. */
export const DEFAULT_IMPLS = IMPLS.map((i) => i.id);

/** Expands `--impls` entries: an exact id names one implementation; any other word names every
 *  id it prefixes (`tfjs`, `tfjs-webgpu-sce`..., `all`). The roofs (and the exp diagnostic) always run. */
export function resolveImpls(ids: string[]): { specs: ImplSpec[]; unknown: string[] } {
  const unknown: string[] = [];
  const want = new Set<string>(['roof-read', 'roof-rw', 'roof-exp']);
  for (const id of ids) {
    const exact = IMPLS.filter((i) => i.id === id);
    const hit = exact.length ? exact : id === 'all' ? IMPLS : IMPLS.filter((i) => i.id.startsWith(`${id}-`));
    if (hit.length === 0) unknown.push(id);
    for (const h of hit) want.add(h.id);
  }
  return { specs: IMPLS.filter((i) => want.has(i.id)), unknown };
}
