// `--impls` against a list of implementations (the page's, or Node's without TF.js).
import type { ImplSpec } from './types';

/** The roofs (and the exp diagnostic) run whatever `--impls` says: every fraction needs them. */
const ALWAYS = ['roof-read', 'roof-rw', 'roof-exp'];

/** Expands `--impls` entries: an exact id names one implementation; any other word names every
 *  id it prefixes (`tfjs`, `tfjs-webgpu-sce`..., `all`). */
export function resolveImpls(all: ImplSpec[], ids: string[]): { specs: ImplSpec[]; unknown: string[] } {
  const unknown: string[] = [];
  const want = new Set<string>(ALWAYS);
  for (const id of ids) {
    const exact = all.filter((i) => i.id === id);
    const hit = exact.length ? exact : id === 'all' ? all : all.filter((i) => i.id.startsWith(`${id}-`));
    if (hit.length === 0) unknown.push(id);
    for (const h of hit) want.add(h.id);
  }
  // float16 rows are held to the float16 read roof.
  if (all.some((i) => want.has(i.id) && i.work === 'forward-f16')) want.add('roof-read-f16');
  return { specs: all.filter((i) => want.has(i.id)), unknown };
}
