// What makes a benchmark run fail: this library's or a roof's error or wrong result. A peer's
// wrong result is reported in the table, not fatal.
import type { BenchResults } from './types';

export function failures(res: BenchResults): string[] {
  return res.shapes.flatMap((s) => s.impls
    .filter((r) => (r.id.startsWith('lib') || r.id.startsWith('roof')) && (r.error || (r.check && !r.check.ok)))
    .map((r) => `${r.id} on ${s.rows}x${s.classes}: ${r.error ?? r.check!.message}`));
}
