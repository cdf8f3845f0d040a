// Number and label formats shared by the report, its charts and the terminal summary.
import type { BenchResults, ImplResult, ShapeResult } from './types';

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
export const sig = (v: number, d = 3) => (v >= 10 ** d ? v.toFixed(0) : v.toPrecision(d));
export const frac = (v: number) => (v >= 0.1 ? v.toFixed(2) : v.toPrecision(2));

export function shapeLabel(s: ShapeResult): string {
  const mb = s.logitsBytes / 1e6;
  return `${s.rows}×${s.classes} (${mb < 1 ? mb.toFixed(2) : mb < 10 ? mb.toFixed(1) : mb.toFixed(0)} MB)`;
}

export const oneLine = (s: string, max = 140) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** Why a row has no times (skipped, an error, a wrong result that was not timed); undefined when
 *  it was checked and timed. */
export function omission(r: ImplResult): string | undefined {
  if (r.skipped) return `skipped: ${r.skipped}`;
  if (r.error) return `error: ${r.error}`;
  if (r.check && !r.check.ok) return `wrong result, not timed: ${r.check.message}`;
  return r.wall ? undefined : 'not timed';
}

/** A row that passed its check and was timed. */
export const find = (s: ShapeResult, id: string): ImplResult | undefined => s.impls.find((r) => r.id === id && r.check?.ok && r.wall);

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Words joined into lines of at most `width` columns. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

/** The adapter in one line: vendor, architecture, device, description (Dawn: the driver). */
export function adapterName(res: BenchResults): string {
  const a = res.adapter;
  return `${a.vendor} / ${a.architecture}${a.device ? ` / ${a.device}` : ''}${a.description ? ` (${a.description})` : ''}${a.backend ? `, ${a.backend}` : ''}`;
}
