// The benchmark's verdict summary and HTML report from saved results (bench/results/latest.json,
// with results taken away or changed here as fixtures): the summary fits 100 columns, every result
// without a time is marked with why, and a fraction of the roof above 1 is explained.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { derive } from '../../bench/derive';
import { ABOVE_ROOF } from '../../bench/judge';
import { renderHtmlReport } from '../../bench/report';
import { summary, WIDTH } from '../../bench/summary';
import type { BenchResults, ImplResult } from '../../bench/types';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'latest.json');
const saved = JSON.parse(readFileSync(FILE, 'utf8')) as BenchResults;

/** The saved run with `change` applied to shape `si`'s row `id`, derived again. */
function fixture(changes: [si: number, id: string, change: (r: ImplResult) => void][]): BenchResults {
  const res = structuredClone(saved);
  for (const s of res.shapes) {
    for (const r of s.impls) for (const k of ['gbps', 'ofRoof', 'ofRoofSteady', 'vsTfjsWebgpu', 'ofExpRoof'] as const) delete r[k];
  }
  for (const [si, id, change] of changes) change(res.shapes[si].impls.find((x) => x.id === id)!);
  for (const s of res.shapes) derive(s);
  return res;
}

const wrong = (r: ImplResult) => {
  r.check = { ok: false, loss: 1, expected: 2, relErr: 0.5, message: 'loss 1 vs oracle 2 (fixture)' };
  delete r.wall;
  delete r.steady;
};
const skipped = (r: ImplResult) => {
  r.skipped = 'logits (262144000 bytes) > maxBufferSize 268435456 (fixture)';
  delete r.check;
  delete r.wall;
  delete r.steady;
};

const within = (lines: string[]) => {
  for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(WIDTH);
};

describe('the verdict summary', () => {
  it('gives one line per shape within 100 columns: the library, the roof, the fastest peer, a verdict', () => {
    const lines = summary(saved);
    within(lines);
    const head = lines.find((l) => l.startsWith('shape'))!;
    for (const h of ['fwd ms', 'fused ms', 'roof ms', 'fastest peer', 'lib ×', 'verdict']) expect(head).toContain(h);
    for (const s of saved.shapes) {
      const row = lines.filter((l) => l.startsWith(`${s.rows}×${s.classes} (`));
      expect(row, `${s.rows}×${s.classes}`).toHaveLength(1);
      expect(row[0]).toMatch(/(good|fair|poor)$/);
    }
  });

  it('marks a peer that gave a wrong result and says why in a footnote', () => {
    const res = fixture([[2, 'tfjs-wasm', wrong], [2, 'js', wrong]]);
    const lines = summary(res);
    within(lines);
    const row = lines.find((l) => l.startsWith('1024×1000'))!;
    expect(row).toMatch(/¹/);
    const note = lines.slice(lines.findIndex((l) => l.startsWith('¹'))).join(' ');
    expect(note).toMatch(/^¹ 1024×1000: tfjs-wasm wrong result, not timed: loss 1 vs oracle 2 \(fixture\); js wrong result/);
    // The fastest peer is then one that was timed.
    expect(row).not.toMatch(/tfjs-wasm|\bjs\b/);
  });

  it('marks the library and the roof where they have no time, and the verdict says why', () => {
    const res = fixture([[6, 'lib-grad', skipped], [6, 'roof-read', (r) => {
      r.error = 'OperationError: fixture';
      delete r.wall;
    }], [1, 'lib', wrong], [1, 'lib-grad-new', skipped]]);
    const lines = summary(res);
    within(lines);
    const big = lines.find((l) => l.startsWith('2048×32000'))!;
    expect(big).toMatch(/–[¹²³⁴]/); // the fused time and the read roof's
    expect(big).toMatch(/skipped$/);
    const small = lines.find((l) => l.startsWith('16384×100'))!;
    expect(small).toMatch(/^16384×100 \(6\.6 MB\)[¹²³⁴]/); // lib-grad-new: no column of its own
    expect(small).toMatch(/WRONG\//);
    const notes = lines.filter((l) => /^[¹²³⁴]/.test(l));
    expect(notes).toHaveLength(4);
    expect(notes.join('\n')).toMatch(/lib-grad skipped: logits .* > maxBufferSize/);
    expect(notes.join('\n')).toMatch(/roof-read error: OperationError: fixture/);
  });

  it('explains a fraction of the roof above 1 where one is shown', () => {
    expect(summary(saved).join(' ')).not.toContain('Of roof above 1');
    const res = fixture([[0, 'lib', (r) => { r.wall = { ...r.wall!, median: r.wall!.median / 100 }; }]]);
    const text = summary(res).join(' ');
    expect(text).toContain(ABOVE_ROOF.split(' ').slice(0, 8).join(' '));
    within(summary(res));
  });

  it('leaves the peer columns out where a run has no peers (bench:gpu)', () => {
    const res = structuredClone(saved);
    for (const s of res.shapes) s.impls = s.impls.filter((r) => r.id.startsWith('lib') || r.id.startsWith('roof'));
    const lines = summary(res);
    within(lines);
    expect(lines.join('\n')).not.toMatch(/fastest peer/);
  });
});

describe('the HTML report', () => {
  it('says which results have no time and why, in the notes and on the charts', () => {
    const html = renderHtmlReport(fixture([[2, 'tfjs-webgpu', wrong], [2, 'tfjs-webgpu-grad', wrong]]));
    expect(html).toMatch(/Wrong results, not timed[^<]*tfjs-webgpu on 1024×1000: loss 1 vs oracle 2 \(fixture\)/);
    // vs TF.js WebGPU on that shape is against the other formulation only, marked *.
    expect(html).toMatch(/\* 1024×1000: vs TF\.js WebGPU is against the formulations that were timed; left out: tfjs-webgpu \(wrong result, not timed\), tfjs-webgpu-grad/);
    expect(html).toMatch(/<td class="num">[\d.]+×\*<\/td>/);
    // The bandwidth chart keeps the row as an empty bar saying why.
    expect(html).toMatch(/<title>tfjs-webgpu: wrong result, not timed: loss 1 vs oracle 2 \(fixture\)<\/title>/);
    expect(html).toContain('<pre class="summary">');
  });

  it('explains a fraction of the roof above 1 when the table shows one', () => {
    const fast = (r: ImplResult) => { r.wall = { ...r.wall!, median: r.wall!.median / 100 }; };
    expect(renderHtmlReport(fixture([[0, 'js', fast]]))).toContain(ABOVE_ROOF.slice(0, 60));
  });
});
