// The benchmark's outputs for people: the Markdown table printed on the terminal, and a
// self-contained HTML report (tables and inline SVG charts, no scripts, no network).
import { charts } from './charts';
import { untimedTfjs } from './derive';
import { adapterName, esc, find, frac, ms, oneLine, omission, shapeLabel, sig } from './format';
import { ABOVE_ROOF, roofFraction, SMALL_BYTES, SMALL_SLACK, TARGET_ROOF, TARGET_TFJS } from './judge';
import { summary } from './summary';
import type { BenchResults, ImplResult, ShapeResult } from './types';

function checkCell(r: ImplResult): string {
  if (r.skipped) return `skipped: ${oneLine(r.skipped)}`;
  if (r.error) return `error: ${oneLine(r.error)}`;
  if (!r.check) return '–';
  if (!r.check.ok) return `✗ wrong: ${oneLine(r.check.message)}`;
  return r.check.grad ? '✓ loss+grad' : '✓';
}

const range = (t: ImplResult['wall']) => (t ? `${ms(t.median)} (${ms(t.p10)}–${ms(t.p90)})` : '–');
const opt = (v: number | undefined, f: (v: number) => string) => (v === undefined ? '–' : f(v));
const times = (v: number) => `${sig(v, 2)}×`;

interface Column { head: string; right: boolean; cell(r: ImplResult, s: ShapeResult): string }

/** A speed-up over TF.js WebGPU that leaves out a formulation which has no time (marked *). */
const partial = (s: ShapeResult, r: ImplResult | undefined) => r?.vsTfjsWebgpu !== undefined && untimedTfjs(s, r.work).length > 0;

const has = (res: BenchResults, p: (r: ImplResult) => boolean) => res.shapes.some((s) => s.impls.some(p));

/** The results table's columns: GPU time, TF.js and PyTorch only where the run has them. */
function columns(res: BenchResults): Column[] {
  const gpu = has(res, (r) => r.gpu !== undefined);
  const cols: (Column | false)[] = [
    { head: 'implementation', right: false, cell: (r) => `${r.id}${r.grid && r.work.startsWith('roof') ? ` (${r.grid})` : ''}` },
    { head: 'check', right: false, cell: checkCell },
    { head: 'first call ms', right: true, cell: (r) => (r.firstMs !== undefined && r.check?.ok ? ms(r.firstMs) : '–') },
    { head: 'wall ms median (p10–p90)', right: true, cell: (r) => range(r.wall) },
    { head: 'n', right: false, cell: (r) => (r.wall ? `${r.wall.n}${r.wall.reduced ? '†' : ''}` : '–') },
    gpu && { head: 'GPU ms median (p10–p90)', right: true, cell: (r) => range(r.gpu) },
    { head: 'steady ms/call', right: true, cell: (r) => opt(r.steady?.perCall, ms) },
    { head: 'GB/s', right: true, cell: (r) => opt(r.gbps, (v) => sig(v)) },
    gpu && { head: 'GB/s on GPU time', right: true, cell: (r) => opt(r.gpuGbps, (v) => sig(v)) },
    { head: 'of roof', right: true, cell: (r) => opt(r.ofRoof, frac) },
    gpu && { head: 'of roof on GPU time', right: true, cell: (r) => opt(r.ofRoofGpu, frac) },
    has(res, (r) => r.id.startsWith('tfjs-webgpu')) && { head: 'vs TF.js WebGPU', right: true, cell: (r, s) => (r.id.startsWith('tfjs-webgpu') ? '–' : `${opt(r.vsTfjsWebgpu, times)}${partial(s, r) ? '*' : ''}`) },
    has(res, (r) => r.vsTorch !== undefined) && { head: 'vs PyTorch CUDA', right: true, cell: (r) => opt(r.vsTorch, times) },
  ];
  return cols.filter((c): c is Column => Boolean(c));
}

interface Row { cells: string[]; shapeStart: boolean }

function rows(res: BenchResults, cols: Column[]): Row[] {
  return res.shapes.flatMap((s) => s.impls.map((r, i) => ({
    shapeStart: i === 0,
    cells: [i === 0 ? shapeLabel(s) : '', ...cols.map((c) => c.cell(r, s))],
  })));
}

interface TargetRow { shape: string; cells: string[] }

/** The targets per shape, measured in this run. */
export function targets(res: BenchResults): { head: string[]; rows: TargetRow[] } {
  const yes = (ok: boolean, v: string) => `${ok ? '✓' : '✗'} ${v}`;
  const onGpu = has(res, (r) => r.ofRoofGpu !== undefined);
  const tfjs = has(res, (r) => r.id.startsWith('tfjs-'));
  const torch = has(res, (r) => r.vsTorch !== undefined);
  const on = onGpu ? ' (GPU time)' : '';
  const head = ['shape', `forward ≥ ${TARGET_ROOF} of read roof${on}`, `fused ≥ ${TARGET_ROOF} of read+write roof${on}`,
    ...(tfjs ? [`≥ ${TARGET_TFJS}× TF.js WebGPU (forward / fused)`, 'faster than TF.js wasm'] : []),
    ...(torch ? ['vs PyTorch CUDA (forward / fused)'] : []),
    `small: ≤ ${SMALL_SLACK}× roof's time (forward / fused)`];
  const out: TargetRow[] = [];
  for (const s of res.shapes) {
    const lib = find(s, 'lib');
    const fused = find(s, 'lib-grad');
    const wasm = find(s, 'tfjs-wasm');
    const big = s.logitsBytes >= SMALL_BYTES;
    const cells: string[] = [];
    // Judged on GPU time where the run has it, else on wall time (one call and its readback); the
    // steady-state ratio (calls queued, one readback) is shown beside a wall-time judgement.
    const roofCell = (r: ImplResult | undefined) => {
      const f = roofFraction(r);
      if (!big) return 'n/a (< 1 MB)';
      if (!f) return '–';
      return yes(f.value >= TARGET_ROOF, `${frac(f.value)}${f.on === 'wall' && r!.ofRoofSteady !== undefined ? ` (steady ${frac(r!.ofRoofSteady)})` : ''}`);
    };
    cells.push(roofCell(lib), roofCell(fused));
    if (tfjs) {
      const tf = [lib?.vsTfjsWebgpu, fused?.vsTfjsWebgpu];
      cells.push(tf.some((v) => v !== undefined)
        ? yes(tf.every((v) => v !== undefined && v >= TARGET_TFJS), [lib, fused].map((r) => `${opt(r?.vsTfjsWebgpu, times)}${partial(s, r) ? '*' : ''}`).join(' / '))
        : '–');
      cells.push(lib && wasm ? yes(lib.wall!.median < wasm.wall!.median, `${sig(wasm.wall!.median / lib.wall!.median, 2)}×`) : '–');
    }
    if (torch) cells.push([lib?.vsTorch, fused?.vsTorch].map((v) => opt(v, times)).join(' / '));
    if (big) cells.push('n/a');
    else {
      const r = [lib, fused].map((x) => roofFraction(x)?.value).map((v) => (v === undefined ? undefined : 1 / v));
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
  if (res.gpuTime) {
    const floors = res.shapes.map((s) => s.gpuFloorMs).filter((v): v is number => v !== undefined);
    n.push(`GPU time: ${res.gpuTime.note}${floors.length ? `; an empty bracket spans ${floors.map(ms).join(', ')} ms (per shape), included in every GPU time` : ''}.`);
  }
  if (res.peers.omitted) n.push(`Peers: ${res.peers.omitted}`);
  if (res.reference) n.push(`Reference: ${res.reference.name} on ${res.reference.device} (${Object.entries(res.reference.versions).map(([k, v]) => `${k} ${v}`).join(', ')})${res.reference.notes.length ? `; ${res.reference.notes.join('; ')}` : ''}.`);
  if (has(res, (r) => (r.ofRoof ?? 0) > 1 || (r.ofRoofGpu ?? 0) > 1)) n.push(ABOVE_ROOF);
  for (const s of res.shapes) {
    const left = [...untimedTfjs(s, 'forward'), ...untimedTfjs(s, 'fused')];
    if (left.length && s.impls.some((r) => partial(s, r))) {
      n.push(`* ${s.rows}×${s.classes}: vs TF.js WebGPU is against the formulations that were timed; left out: ${left.map((r) => `${r.id} (${omission(r)!.split(':')[0]})`).join(', ')}.`);
    }
  }
  const wrong = res.shapes.flatMap((s) => s.impls.filter((r) => !r.error && r.check && !r.check.ok).map((r) => `${r.id} on ${s.rows}×${s.classes}: ${r.check!.message}`));
  if (wrong.length) n.push(`Wrong results, not timed (every bar, ratio and speed-up leaves them out): ${oneLine(wrong.join('; '), 2000)}.`);
  const skipped = res.shapes.flatMap((s) => s.impls.filter((r) => r.skipped).map((r) => `${r.id} on ${s.rows}×${s.classes}: ${r.skipped}`));
  if (skipped.length) n.push(`Skipped: ${oneLine(skipped.join('; '), 2000)}.`);
  const errors = res.shapes.flatMap((s) => s.impls.filter((r) => r.error).map((r) => `${r.id} on ${s.rows}×${s.classes}: ${r.error}`));
  if (errors.length) n.push(`Errors: ${oneLine(errors.join('; '), 2000)}.`);
  return n;
}

function adapterLine(res: BenchResults): string {
  const a = res.adapter;
  const p = res.peers;
  return `${adapterName(res)}, fallback adapter: ${a.isFallback}, `
    + `maxStorageBufferBindingSize ${a.maxStorageBufferBindingSize}, library subgroup size ${a.subgroupSize || 'none (workgroup tree)'}`
    + `${p.tfjs ? `; TF.js ${p.tfjs}${p.tfjsWasmThreads !== undefined ? `, wasm threads ${p.tfjsWasmThreads}` : ''}` : ''}`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

function sourceLine(res: BenchResults): string {
  const s = res.source;
  if (!s) return 'source: not recorded (npm run bench and the bench:gpu build ask git)';
  return `source: ${s.commit}${s.dirty.length ? ` + uncommitted changes to ${s.dirty.join(', ')}` : ''}`;
}

export function renderMarkdown(res: BenchResults): string {
  const cols = columns(res);
  const head = ['shape', ...cols.map((c) => c.head)];
  const lines: string[] = [];
  lines.push(`Adapter: ${adapterLine(res)}. ${res.date.slice(0, 10)}, ${res.totalSeconds.toFixed(0)} s; ${sourceLine(res)}.`);
  lines.push('');
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`|${['---', ...cols.map((c) => (c.right ? '---:' : '---'))].join('|')}|`);
  for (const r of rows(res, cols)) lines.push(`| ${r.cells.map(mdEscape).join(' | ')} |`);
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

function htmlTable(head: string[], body: string[][], starts?: boolean[], right?: boolean[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const td = (c: string, i: number) => `<td${right?.[i] ? ' class="num"' : ''}>${esc(c)}</td>`;
  const tr = body.map((cells, i) => `<tr${starts?.[i] ? ' class="start"' : ''}>${cells.map(td).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** The report's body (also shown on the page after a run). */
export function renderReportBody(res: BenchResults): string {
  const cols = columns(res);
  const rs = rows(res, cols);
  const t = targets(res);
  const c = res.config;
  return `
<h2>Cross-entropy benchmark</h2>
<p><b>Adapter:</b> ${esc(adapterLine(res))}<br/>
<b>Date:</b> ${esc(res.date)} · <b>run time:</b> ${res.totalSeconds.toFixed(0)} s · <b>iterations:</b> up to ${c.iters} warm calls, ${(c.budgetMs / 1000).toFixed(1)} s budget each${c.quick ? ' · <b>quick run</b>' : ''}<br/>
<b>Runtime:</b> ${esc(res.userAgent)}<br/>
<b>Library ${esc(sourceLine(res))}</b></p>
<h3>Summary</h3>
<pre class="summary">${esc(summary(res).join('\n'))}</pre>
<h3>Targets</h3>
${htmlTable(t.head, t.rows.map((r) => [r.shape, ...r.cells]))}
<h3>Results</h3>
${htmlTable(['shape', ...cols.map((x) => x.head)], rs.map((r) => r.cells), rs.map((r) => r.shapeStart), [false, ...cols.map((x) => x.right)])}
${notes(res).map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<h3>Charts</h3>
${charts(res)}
<h3>How to read it</h3>
<ul>${res.method.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`;
}

/** The report's styles (the saved HTML file's, and the benchmark page's). */
export const REPORT_CSS = `table { border-collapse: collapse; font-size: 12px; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tr.start td { border-top: 2px solid #999; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
.note { font-size: 12px; color: #555; }
pre.summary { font-size: 12px; background: #f6f6f6; padding: .6rem; overflow-x: auto; }
`;

export function renderHtmlReport(res: BenchResults): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"/><title>webgpu-loss benchmark ${esc(res.date.slice(0, 10))}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; max-width: 1400px; }
${REPORT_CSS}</style></head>
<body>
${renderReportBody(res)}
</body></html>
`;
}
