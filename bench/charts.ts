// The report's charts: horizontal bar charts as inline SVG (no scripts, no network).
import { untimedTfjs } from './derive';
import { esc, find, frac, ms, omission, shapeLabel, sig } from './format';
import { roofFraction, TARGET_ROOF, TARGET_TFJS } from './judge';
import type { BenchResults, ImplResult, ShapeResult } from './types';

const COLORS: Record<string, string> = {
  roof: '#888', lib: '#1f77b4', 'tfjs-webgpu': '#ff7f0e', 'tfjs-wasm': '#2ca02c', 'tfjs-cpu': '#9467bd', js: '#8c564b', torch: '#d62728',
};
function colorOf(id: string): string {
  if (id.startsWith('roof')) return COLORS.roof;
  if (id.startsWith('lib')) return COLORS.lib;
  if (id.startsWith('tfjs-webgpu')) return COLORS['tfjs-webgpu'];
  if (id.startsWith('torch')) return COLORS.torch;
  return COLORS[id] ?? '#444';
}

interface Bar { label: string; value: number; color: string; text: string; title?: string }
interface Ref { value: number; label: string }

/** A horizontal bar chart as inline SVG; log scale spans whole decades. */
function barChart(title: string, bars: Bar[], opts: { log: boolean; refs?: Ref[]; unit: string }): string {
  const W = 820, labelW = 250, textW = 90, top = 34, rowH = 20, plotW = W - labelW - textW - 10;
  const H = top + bars.length * rowH + 28;
  const vals = [...bars.map((b) => b.value), ...(opts.refs ?? []).map((r) => r.value)].filter((v) => v > 0 && Number.isFinite(v));
  if (vals.length === 0) return '';
  let lo: number, hi: number;
  if (opts.log) {
    lo = 10 ** Math.floor(Math.log10(Math.min(...vals)));
    hi = 10 ** Math.ceil(Math.log10(Math.max(...vals)));
    if (hi === lo) hi = lo * 10;
  } else {
    lo = 0;
    hi = Math.max(1, Math.ceil(Math.max(...vals) * 5) / 5); // whole fifths, at least 1
  }
  const x = (v: number) => labelW + (opts.log ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo)) * plotW;
  const parts: string[] = [];
  parts.push(`<text x="0" y="16" font-weight="bold">${esc(title)}</text>`);
  const ticks: number[] = [];
  if (opts.log) for (let v = lo; v <= hi * 1.0001; v *= 10) ticks.push(v);
  else for (let v = 0; v <= hi + 1e-9; v += 0.2) ticks.push(v);
  for (const t of ticks) {
    const tx = x(t);
    parts.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${H - 24}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${tx}" y="${H - 10}" font-size="10" text-anchor="middle" fill="#666">${esc(opts.log ? sig(t, 1) : sig(t, 2))}</text>`);
  }
  parts.push(`<text x="${labelW + plotW}" y="${H - 10}" font-size="10" text-anchor="end" fill="#666" dy="-12">${esc(opts.unit)}</text>`);
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 6}" y="${y + 13}" font-size="11" text-anchor="end">${esc(b.label)}</text>`);
    const w = Math.max(1, x(b.value) - labelW);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${b.color}"><title>${esc(`${b.label}: ${b.title ?? b.text}`)}</title></rect>`);
    parts.push(`<text x="${labelW + w + 4}" y="${y + 13}" font-size="10" fill="#333">${esc(b.text)}</text>`);
  });
  for (const r of opts.refs ?? []) {
    const rx = x(r.value);
    parts.push(`<line x1="${rx}" y1="${top - 6}" x2="${rx}" y2="${H - 24}" stroke="#c00" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${rx + 3}" y="${top - 8}" font-size="10" fill="#c00">${esc(r.label)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

/** An empty bar for a row that has no time, saying why. */
function untimedBar(label: string, r: ImplResult): Bar {
  const why = omission(r)!;
  return { label, value: 0, color: '#bbb', text: why.split(':')[0], title: why };
}

export function charts(res: BenchResults): string {
  const out: string[] = [];
  // Bandwidth per implementation, per shape, against the read roof: on GPU time where the run has it.
  const onGpu = res.shapes.some((s) => s.impls.some((r) => r.gpu));
  const gbps = (r: ImplResult) => (onGpu ? r.gpuGbps : r.gbps);
  const time = (r: ImplResult) => (onGpu ? r.gpu : r.wall);
  for (const s of res.shapes) {
    // Rows without a time keep their place, as an empty bar saying why.
    const shown = s.impls.filter((r) => gbps(r) !== undefined || omission(r));
    if (!shown.some((r) => gbps(r) !== undefined)) continue;
    const roofRow = s.impls.find((r) => r.id === 'roof-read');
    const roof = roofRow && gbps(roofRow);
    out.push(barChart(`${shapeLabel(s)}: effective bandwidth${onGpu ? ' on GPU time' : ''} (GB/s, log scale)`, shown.map((r) => (gbps(r) === undefined
      ? untimedBar(r.id, r)
      : { label: r.id, value: gbps(r)!, color: colorOf(r.id), text: `${sig(gbps(r)!)} GB/s · ${ms(time(r)!.median)} ms` })),
    { log: true, unit: 'GB/s', refs: roof ? [{ value: roof, label: 'read roof' }] : [] }));
  }
  // The library against its roofs and its peers, across shapes.
  const lib = (id: string, pick: (r: ImplResult) => number | undefined, fmt: (v: number, s: ShapeResult, r: ImplResult) => string): Bar[] => res.shapes.flatMap((s) => {
    const label = `${s.rows}×${s.classes} ${id}`;
    const row = s.impls.find((r) => r.id === id);
    if (row && omission(row)) return [untimedBar(label, row)];
    const r = find(s, id);
    const v = r ? pick(r) : undefined;
    return v === undefined ? [] : [{ label, value: v, color: colorOf(id), text: fmt(v, s, r!) }];
  });
  const both = (pick: (r: ImplResult) => number | undefined, fmt: (v: number, s: ShapeResult, r: ImplResult) => string) => [...lib('lib', pick, fmt), ...lib('lib-grad', pick, fmt)];
  const times = (v: number) => `${sig(v, 2)}×`;
  const roofBars = both((r) => roofFraction(r)?.value, frac);
  if (roofBars.length) out.push(barChart(`webgpu-loss: fraction of the roof (${onGpu ? 'GPU' : 'wall'} median; forward vs read roof, fused vs read+write roof)`, roofBars, { log: false, unit: 'of roof', refs: [{ value: TARGET_ROOF, label: `target ${TARGET_ROOF}` }] }));
  // * : a TF.js formulation had no time on that shape (the report's notes say which and why).
  const tfBars = both((r) => r.vsTfjsWebgpu, (v, s, r) => `${times(v)}${untimedTfjs(s, r.work).length ? ' *' : ''}`);
  if (tfBars.length) out.push(barChart('webgpu-loss: speed-up over the faster TF.js WebGPU formulation (log scale)', tfBars, { log: true, unit: '×', refs: [{ value: TARGET_TFJS, label: `target ${TARGET_TFJS}×` }] }));
  const torchBars = both((r) => r.vsTorch, times);
  if (torchBars.length) out.push(barChart('webgpu-loss: speed-up over PyTorch CUDA on the same GPU (log scale)', torchBars, { log: true, unit: '×', refs: [{ value: 1, label: 'parity' }] }));
  return out.map((svg) => `<figure>${svg}</figure>`).join('\n');
}
