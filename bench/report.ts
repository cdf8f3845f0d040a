// The benchmark's outputs for people: the Markdown table printed on the terminal, and a
// self-contained HTML report (tables and inline SVG charts, no scripts, no network).
import type { BenchResults, ImplResult, ShapeResult } from './types';

const TARGET_ROOF = 0.85;
const TARGET_TFJS = 10;
const SMALL_BYTES = 1e6; // below this a shape is "small": within 1.5x of the roof's own time
const SMALL_SLACK = 1.5;

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const sig = (v: number, d = 3) => (v >= 10 ** d ? v.toFixed(0) : v.toPrecision(d));
const frac = (v: number) => (v >= 0.1 ? v.toFixed(2) : v.toPrecision(2));

export function shapeLabel(s: ShapeResult): string {
  const mb = s.logitsBytes / 1e6;
  return `${s.rows}×${s.classes} (${mb < 1 ? mb.toFixed(2) : mb < 10 ? mb.toFixed(1) : mb.toFixed(0)} MB)`;
}

const oneLine = (s: string, max = 140) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function checkCell(r: ImplResult): string {
  if (r.skipped) return `skipped: ${oneLine(r.skipped)}`;
  if (r.error) return `error: ${oneLine(r.error)}`;
  if (!r.check) return '–';
  if (!r.check.ok) return `✗ wrong: ${oneLine(r.check.message)}`;
  return r.check.grad ? '✓ loss+grad' : '✓';
}

interface Row { cells: string[]; shapeStart: boolean }

const HEAD = ['shape', 'implementation', 'check', 'first call ms', 'wall ms median (p10–p90)', 'n', 'steady ms/call', 'GB/s', 'of roof', 'vs TF.js WebGPU'];

function rows(res: BenchResults): Row[] {
  const out: Row[] = [];
  for (const s of res.shapes) {
    s.impls.forEach((r, i) => {
      const w = r.wall;
      out.push({
        shapeStart: i === 0,
        cells: [
          i === 0 ? shapeLabel(s) : '',
          `${r.id}${r.grid && r.work.startsWith('roof') ? ` (${r.grid})` : ''}`,
          checkCell(r),
          r.firstMs !== undefined && r.check?.ok ? ms(r.firstMs) : '–',
          w ? `${ms(w.median)} (${ms(w.p10)}–${ms(w.p90)})` : '–',
          w ? `${w.n}${w.reduced ? '†' : ''}` : '–',
          r.steady ? ms(r.steady.perCall) : '–',
          r.gbps !== undefined ? sig(r.gbps) : '–',
          r.ofRoof !== undefined ? frac(r.ofRoof) : '–',
          r.vsTfjsWebgpu !== undefined && !r.id.startsWith('tfjs-webgpu') ? `${sig(r.vsTfjsWebgpu, 2)}×` : '–',
        ],
      });
    });
  }
  return out;
}

interface TargetRow { shape: string; cells: string[] }

const find = (s: ShapeResult, id: string) => s.impls.find((r) => r.id === id && r.check?.ok && r.wall);

/** The issue's targets per shape, measured in this run. */
export function targets(res: BenchResults): { head: string[]; rows: TargetRow[] } {
  const yes = (ok: boolean, v: string) => `${ok ? '✓' : '✗'} ${v}`;
  const head = ['shape', `forward ≥ ${TARGET_ROOF} of read roof`, `fused ≥ ${TARGET_ROOF} of read+write roof`,
    `≥ ${TARGET_TFJS}× TF.js WebGPU (forward / fused)`, 'faster than TF.js wasm', `small: ≤ ${SMALL_SLACK}× roof's time (forward / fused)`];
  const out: TargetRow[] = [];
  for (const s of res.shapes) {
    const lib = find(s, 'lib');
    const fused = find(s, 'lib-grad');
    const wasm = find(s, 'tfjs-wasm');
    const big = s.logitsBytes >= SMALL_BYTES;
    const cells: string[] = [];
    // Judged on wall time (one call and its readback); the steady-state ratio (calls queued, one
    // readback: the kernels' throughput, without the readback's latency) is shown beside it.
    const roofCell = (r: typeof lib) => !big ? 'n/a (< 1 MB)' : r?.ofRoof !== undefined
      ? yes(r.ofRoof >= TARGET_ROOF, `${frac(r.ofRoof)}${r.ofRoofSteady !== undefined ? ` (steady ${frac(r.ofRoofSteady)})` : ''}`) : '–';
    cells.push(roofCell(lib));
    cells.push(roofCell(fused));
    const tf = [lib?.vsTfjsWebgpu, fused?.vsTfjsWebgpu];
    cells.push(tf.some((v) => v !== undefined)
      ? yes(tf.every((v) => v !== undefined && v >= TARGET_TFJS), tf.map((v) => (v === undefined ? '–' : `${sig(v, 2)}×`)).join(' / '))
      : '–');
    cells.push(lib && wasm ? yes(lib.wall!.median < wasm.wall!.median, `${sig(wasm.wall!.median / lib.wall!.median, 2)}×`) : '–');
    if (big) cells.push('n/a');
    else {
      const r = [lib?.ofRoof, fused?.ofRoof].map((v) => (v === undefined ? undefined : 1 / v));
      cells.push(r.some((v) => v !== undefined)
        ? yes(r.every((v) => v !== undefined && v <= SMALL_SLACK), r.map((v) => (v === undefined ? '–' : `${v.toFixed(2)}×`)).join(' / '))
        : '–');
    }
    out.push({ shape: shapeLabel(s), cells });
  }
  return { head, rows: out };
}

function notes(res: BenchResults): string[] {
  const c = res.config;
  const n: string[] = [];
  n.push(`† fewer warm calls than --iters ${c.iters}: each shape × implementation gets about ${(c.budgetMs / 1000).toFixed(1)} s of warm calls (at least ${c.minIters}), so any implementation slower than ${(c.budgetMs / c.iters).toFixed(0)} ms a call makes fewer; steady state only where a call takes at most ${(c.steadyBudgetMs / 4).toFixed(0)} ms.`);
  const skipped = res.shapes.flatMap((s) => s.impls.filter((r) => r.skipped).map((r) => `${r.id} on ${s.rows}×${s.classes}: ${r.skipped}`));
  if (skipped.length) n.push(`Skipped: ${oneLine(skipped.join('; '), 2000)}.`);
  const errors = res.shapes.flatMap((s) => s.impls.filter((r) => r.error).map((r) => `${r.id} on ${s.rows}×${s.classes}: ${r.error}`));
  if (errors.length) n.push(`Errors: ${oneLine(errors.join('; '), 2000)}.`);
  return n;
}

function adapterLine(res: BenchResults): string {
  const a = res.adapter;
  const p = res.peers;
  return `${a.vendor} / ${a.architecture}${a.description ? ` (${a.description})` : ''}, fallback adapter: ${a.isFallback}, `
    + `maxStorageBufferBindingSize ${a.maxStorageBufferBindingSize}, library subgroup size ${a.subgroupSize || 'none (workgroup tree)'}; `
    + `TF.js ${p.tfjs}${p.tfjsWasmThreads !== undefined ? `, wasm threads ${p.tfjsWasmThreads}` : ''}`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

function sourceLine(res: BenchResults): string {
  const s = res.source;
  if (!s) return 'source: not recorded (git is asked only by npm run bench)';
  return `source: ${s.commit}${s.dirty.length ? ` + uncommitted changes to ${s.dirty.join(', ')}` : ''}`;
}

export function renderMarkdown(res: BenchResults): string {
  const lines: string[] = [];
  lines.push(`Adapter: ${adapterLine(res)}. ${res.date.slice(0, 10)}, ${res.totalSeconds.toFixed(0)} s; ${sourceLine(res)}.`);
  lines.push('');
  lines.push(`| ${HEAD.join(' | ')} |`);
  lines.push(`|${HEAD.map((_, i) => (i >= 3 && i !== 5 ? '---:' : '---')).join('|')}|`);
  for (const r of rows(res)) lines.push(`| ${r.cells.map(mdEscape).join(' | ')} |`);
  lines.push('');
  const t = targets(res);
  lines.push(`| ${t.head.join(' | ')} |`);
  lines.push(`|${t.head.map(() => '---').join('|')}|`);
  for (const r of t.rows) lines.push(`| ${[r.shape, ...r.cells].map(mdEscape).join(' | ')} |`);
  lines.push('');
  for (const n of notes(res)) lines.push(n);
  return lines.join('\n');
}

// ---- HTML -----------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS: Record<string, string> = {
  roof: '#888', lib: '#1f77b4', 'tfjs-webgpu': '#ff7f0e', 'tfjs-wasm': '#2ca02c', 'tfjs-cpu': '#9467bd', js: '#8c564b',
};
function colorOf(id: string): string {
  if (id.startsWith('roof')) return COLORS.roof;
  if (id.startsWith('lib')) return COLORS.lib;
  if (id.startsWith('tfjs-webgpu')) return COLORS['tfjs-webgpu'];
  return COLORS[id] ?? '#444';
}

interface Bar { label: string; value: number; color: string; text: string }
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
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${b.color}"><title>${esc(`${b.label}: ${b.text}`)}</title></rect>`);
    parts.push(`<text x="${labelW + w + 4}" y="${y + 13}" font-size="10" fill="#333">${esc(b.text)}</text>`);
  });
  for (const r of opts.refs ?? []) {
    const rx = x(r.value);
    parts.push(`<line x1="${rx}" y1="${top - 6}" x2="${rx}" y2="${H - 24}" stroke="#c00" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${rx + 3}" y="${top - 8}" font-size="10" fill="#c00">${esc(r.label)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

function charts(res: BenchResults): string {
  const out: string[] = [];
  // Bandwidth per implementation, per shape, against the read roof.
  for (const s of res.shapes) {
    const timed = s.impls.filter((r) => r.gbps !== undefined);
    if (!timed.length) continue;
    const roof = s.impls.find((r) => r.id === 'roof-read')?.gbps;
    out.push(barChart(`${shapeLabel(s)}: effective bandwidth (GB/s, log scale)`, timed.map((r) => ({
      label: r.id, value: r.gbps!, color: colorOf(r.id),
      text: `${sig(r.gbps!)} GB/s · ${ms(r.wall!.median)} ms`,
    })), { log: true, unit: 'GB/s', refs: roof ? [{ value: roof, label: 'read roof' }] : [] }));
  }
  // The library against its roofs and against TF.js WebGPU, across shapes.
  const lib = (id: string, pick: (r: ImplResult) => number | undefined, fmt: (v: number) => string): Bar[] => res.shapes.flatMap((s) => {
    const r = find(s, id);
    const v = r ? pick(r) : undefined;
    return v === undefined ? [] : [{ label: `${s.rows}×${s.classes} ${id}`, value: v, color: colorOf(id), text: fmt(v) }];
  });
  const roofBars = [...lib('lib', (r) => r.ofRoof, frac), ...lib('lib-grad', (r) => r.ofRoof, frac)];
  if (roofBars.length) out.push(barChart('webgpu-loss: fraction of the roof (wall median; forward vs read roof, fused vs read+write roof)', roofBars, { log: false, unit: 'of roof', refs: [{ value: TARGET_ROOF, label: `target ${TARGET_ROOF}` }] }));
  const tfBars = [...lib('lib', (r) => r.vsTfjsWebgpu, (v) => `${sig(v, 2)}×`), ...lib('lib-grad', (r) => r.vsTfjsWebgpu, (v) => `${sig(v, 2)}×`)];
  if (tfBars.length) out.push(barChart('webgpu-loss: speed-up over the faster TF.js WebGPU formulation (log scale)', tfBars, { log: true, unit: '×', refs: [{ value: TARGET_TFJS, label: `target ${TARGET_TFJS}×` }] }));
  return out.map((svg) => `<figure>${svg}</figure>`).join('\n');
}

function htmlTable(head: string[], body: string[][], starts?: boolean[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = body.map((cells, i) => `<tr${starts?.[i] ? ' class="start"' : ''}>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** The report's body (also shown on the page after a run). */
export function renderReportBody(res: BenchResults): string {
  const rs = rows(res);
  const t = targets(res);
  const c = res.config;
  return `
<h2>Cross-entropy benchmark</h2>
<p><b>Adapter:</b> ${esc(adapterLine(res))}<br/>
<b>Date:</b> ${esc(res.date)} · <b>run time:</b> ${res.totalSeconds.toFixed(0)} s · <b>iterations:</b> up to ${c.iters} warm calls, ${(c.budgetMs / 1000).toFixed(1)} s budget each${c.quick ? ' · <b>quick run</b>' : ''}<br/>
<b>Browser:</b> ${esc(res.userAgent)}<br/>
<b>Library ${esc(sourceLine(res))}</b></p>
<h3>Targets</h3>
${htmlTable(t.head, t.rows.map((r) => [r.shape, ...r.cells]))}
<h3>Results</h3>
${htmlTable(HEAD, rs.map((r) => r.cells), rs.map((r) => r.shapeStart))}
${notes(res).map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<h3>Charts</h3>
${charts(res)}
<h3>How to read it</h3>
<ul>${res.method.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`;
}

export function renderHtmlReport(res: BenchResults): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"/><title>webgpu-loss benchmark ${esc(res.date.slice(0, 10))}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; max-width: 1400px; }
table { border-collapse: collapse; font-size: 12px; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tr.start td { border-top: 2px solid #999; }
td:nth-child(n+4) { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
.note { font-size: 12px; color: #555; }
</style></head>
<body>
${renderReportBody(res)}
</body></html>
`;
}
