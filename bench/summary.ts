// The verdict summary of a run, for the terminal (npm run bench, npm run bench:gpu) and the
// benchmark page: the adapter, then one line per shape (this library's forward and fused times
// and fractions of the roof, the read roof's time, the fastest peer, a verdict), every line
// within 100 columns. A result that has no time is marked, and a footnote says why.
import { adapterName, find, frac, ms, oneLine, omission, shapeLabel, sig, wrap } from './format';
import { ABOVE_ROOF, FAIR, roofFraction, SMALL_SLACK, TARGET_ROOF, verdict } from './judge';
import type { BenchResults, ImplResult, ShapeResult, Timing, Work } from './types';

export const WIDTH = 100;

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const mark = (n: number) => [...String(n)].map((d) => SUPERSCRIPT[Number(d)]).join('');

export const isPeer = (r: ImplResult) => !r.id.startsWith('lib') && !r.id.startsWith('roof');

/** Cells in columns `gap` spaces apart, `right` ones right-aligned. */
function columns(rows: string[][], right: boolean[], gap: number): string[] {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' '.repeat(gap)).trimEnd());
}

/** Two spaces between columns; where marks and long words make that too wide, one, and then
 *  without column `spare`. */
function layout(rows: string[][], right: boolean[], spare: number): string[] {
  const fits = (lines: string[]) => lines.every((l) => l.length <= WIDTH);
  const wide = columns(rows, right, 2);
  if (fits(wide)) return wide;
  const narrow = columns(rows, right, 1);
  if (fits(narrow) || spare < 0) return narrow;
  return columns(rows.map((r) => r.filter((_, i) => i !== spare)), right.filter((_, i) => i !== spare), 1);
}

/** The fastest timed peer of the forward loss (else of the fused one) against the library's row
 *  for the same work, on GPU time where all three have it, else on wall time. */
export function fastestPeer(s: ShapeResult): { peer: ImplResult; time: Timing; lib?: ImplResult; ratio?: number } | undefined {
  for (const [work, libId] of [['forward', 'lib'], ['fused', 'lib-grad']] as [Work, string][]) {
    const peers = s.impls.filter((r) => isPeer(r) && r.work === work && r.check?.ok && r.wall);
    if (!peers.length) continue;
    const lib = find(s, libId);
    const gpu = Boolean(lib?.gpu) && peers.every((p) => p.gpu);
    const t = (r: ImplResult) => (gpu ? r.gpu! : r.wall!);
    const peer = peers.reduce((a, b) => (t(b).median < t(a).median ? b : a));
    return { peer, time: t(peer), lib, ratio: lib ? t(peer).median / t(lib).median : undefined };
  }
  return undefined;
}

export function summary(res: BenchResults): string[] {
  const onGpu = res.shapes.some((s) => s.impls.some((r) => r.gpu));
  const peers = res.shapes.some((s) => s.impls.some(isPeer));
  const clock = onGpu ? 'GPU' : 'wall';
  const time = (r: ImplResult | undefined) => (onGpu && r?.gpu ? r.gpu : r?.wall);
  const notes: string[] = [];
  let aboveRoof = false;

  const head = ['shape', 'fwd ms', 'roof', 'fused ms', 'roof', 'roof ms', ...(peers ? ['fastest peer', 'ms', 'lib ×'] : []), 'verdict'];
  const right = [false, true, true, true, true, true, ...(peers ? [false, true, true] : []), false];
  const rows = res.shapes.map((s) => {
    const lib = find(s, 'lib');
    const fused = find(s, 'lib-grad');
    const fraction = (r: ImplResult | undefined) => {
      const f = roofFraction(r);
      if (f && f.value > 1) aboveRoof = true;
      return f ? frac(f.value) : '–';
    };
    const t = (r: ImplResult | undefined) => {
      const v = time(r);
      return v ? ms(v.median) : '–';
    };
    const p = peers ? fastestPeer(s) : undefined;
    const cells: Record<string, string> = {
      shape: shapeLabel(s), lib: t(lib), libRoof: fraction(lib), fused: t(fused), fusedRoof: fraction(fused),
      roof: t(find(s, 'roof-read')),
      peer: p?.peer.id ?? '–', peerMs: p ? ms(p.time.median) : '–', ratio: p?.ratio !== undefined ? `${sig(p.ratio, 2)}×` : '–',
    };
    // Each omitted row marks the cell it leaves empty or changes; one footnote per cell says why.
    const cellOf = (r: ImplResult) => ({ lib: 'lib', 'lib-grad': 'fused', 'roof-read': 'roof', 'roof-rw': 'fusedRoof' }[r.id]
      ?? (peers && isPeer(r) ? 'peer' : 'shape'));
    const byCell = new Map<string, string[]>();
    for (const r of s.impls) {
      const why = omission(r);
      if (why) byCell.set(cellOf(r), [...(byCell.get(cellOf(r)) ?? []), `${r.id} ${oneLine(why, 160)}`]);
    }
    for (const [cell, items] of byCell) {
      const m = mark(notes.length + 1);
      cells[cell] += m;
      notes.push(`${m} ${s.rows}×${s.classes}: ${items.join('; ')}`);
    }
    const v = [verdict(s, s.impls.find((x) => x.id === 'lib')), verdict(s, s.impls.find((x) => x.id === 'lib-grad'))];
    return [cells.shape, cells.lib, cells.libRoof, cells.fused, cells.fusedRoof, cells.roof,
      ...(peers ? [cells.peer, cells.peerMs, cells.ratio] : []), v[0] === v[1] ? v[0] : v.join('/')];
  });

  const para = (text: string) => wrap(text, WIDTH);
  const hang = (text: string) => wrap(text, WIDTH - 2).map((l, i) => (i ? `  ${l}` : l));
  return [
    ...para(`adapter: ${adapterName(res)}${res.adapter.isFallback ? ' [a CPU fallback, not a GPU]' : ''}`),
    oneLine(onGpu ? `times: GPU (timestamp-query brackets), medians of up to ${res.config.iters} warm calls`
      : `times: wall (one call + its readback), medians of up to ${res.config.iters} warm calls; ${res.gpuTime?.note ?? 'no GPU timestamps'}`, WIDTH),
    '',
    ...layout([head, ...rows], right, peers ? head.indexOf('ms') : -1),
    '',
    ...para(`fwd, fused: this library's loss (lib) and loss with its gradient (lib-grad), ms on ${clock} time; `
      + 'roof: the fraction of the read roof (fwd) or of the read+write roof (fused) each reached; roof ms: the read roof\'s time. '
      + `${peers ? 'fastest peer: the fastest other forward loss that passed the oracle check; lib ×: its time / lib\'s (above 1: lib is faster). ' : ''}`
      + `verdict (fwd/fused): good at ≥ ${TARGET_ROOF} of the roof (under 1 MB: ≤ ${SMALL_SLACK}× the roof's time); fair: ≥ ${FAIR} of that; poor: below.`),
    ...(aboveRoof ? para(ABOVE_ROOF) : []),
    ...notes.flatMap(hang),
  ];
}
