// `npm run bench:gpu`'s runner on one tiny shape through Dawn on SwiftShader: the structure of what
// it records, never its speed (a unit test asserts no timing).
import { describe, it, expect, beforeAll } from 'vitest';
import { makeConfig } from '../../bench/config';
import { NODE_DEFAULT_IMPLS } from '../../bench/impls/node';
import { nodeHost } from '../../bench/node/host';
import { mergeReference, type TorchReference } from '../../bench/node/reference';
import { summary, WIDTH } from '../../bench/summary';
import { renderHtmlReport } from '../../bench/report';
import { runBench } from '../../bench/runner';
import type { BenchResults, Timing } from '../../bench/types';

let res: BenchResults;
const lines: string[] = [];

beforeAll(async () => {
  const host = await nodeHost(true, (l) => lines.push(l));
  const cfg = makeConfig({ shapes: '8x64', impls: 'lib,lib-grad,lib-f16', quick: true, iters: 2 }, NODE_DEFAULT_IMPLS);
  res = await runBench(cfg, host, (l) => lines.push(l));
}, 60_000);

const row = (id: string) => res.shapes[0].impls.find((r) => r.id === id)!;

describe('bench:gpu runner on Dawn (SwiftShader)', () => {
  it('names the adapter and leaves the peers out, saying why', () => {
    expect(res.adapter.description).not.toBe('');
    expect(res.adapter.backend).toBe('vulkan');
    expect(res.peers.tfjs).toBeUndefined();
    expect(res.peers.omitted).toMatch(/TF\.js/);
    expect(res.userAgent).toMatch(/^Node v\d+.*webgpu/);
  });

  it('checks the library against the oracle before timing it', () => {
    for (const id of ['lib', 'lib-grad']) {
      const r = row(id);
      expect(r.error, r.error).toBeUndefined();
      expect(r.check?.ok, r.check?.message).toBe(true);
      expect(r.check!.relErr).toBeLessThanOrEqual(1e-4);
      expect(r.wall!.n).toBeGreaterThan(0);
    }
    expect(row('lib').check!.grad).toBeUndefined();
    expect(row('lib-grad').check!.grad).toMatchObject({ ok: true, failed: 0, count: 8 * 64 });
  });

  it('times the read, read+write and float16 read roofs, checked too', () => {
    for (const id of ['roof-read', 'roof-rw', 'roof-read-f16']) {
      expect(row(id).check?.ok, row(id).check?.message).toBe(true);
      expect(row(id).wall!.median).toBeGreaterThan(0);
    }
  });

  it('takes GPU time from timestamp queries where the adapter has them', () => {
    const stamps = res.adapter.features.includes('timestamp-query');
    expect(res.gpuTime?.available).toBe(stamps);
    const timed = res.shapes[0].impls.filter((r) => r.wall);
    for (const r of timed) {
      if (!stamps) {
        expect(r.gpu).toBeUndefined();
        continue;
      }
      const gpu = r.gpu as Timing;
      expect(gpu.n, r.id).toBe(r.wall!.n);
      expect(gpu.median, r.id).toBeGreaterThan(0);
    }
    if (stamps) expect(res.shapes[0].gpuFloorMs).toBeGreaterThanOrEqual(0);
  });

  it('float16 logits: half the bytes, checked against the oracle on the float16 values', () => {
    const f16 = row('lib-f16');
    expect(f16.check?.ok, f16.check?.message).toBe(true);
    expect(f16.check!.expected).not.toBe(row('lib').check!.expected);
    expect(f16.bytes).toBe(8 * 64 * 2 + 8 * 4);
    expect(row('roof-read-f16').bytes).toBe(8 * 64 * 2);
  });

  it('derives positive bandwidths and fractions of the roofs', () => {
    for (const id of ['lib', 'lib-grad', 'lib-f16']) {
      const r = row(id);
      expect(r.gbps).toBeGreaterThan(0);
      expect(r.ofRoof).toBeGreaterThan(0);
      if (r.gpu) {
        expect(r.gpuGbps).toBeGreaterThan(0);
        expect(r.ofRoofGpu).toBeGreaterThan(0);
      }
    }
  });

  it('prints a summary within 100 columns and renders the HTML report', () => {
    const s = summary(res);
    expect(s.some((l) => l.startsWith('8×64'))).toBe(true);
    for (const l of s) expect(l.length, l).toBeLessThanOrEqual(WIDTH);
    const html = renderHtmlReport(res);
    expect(html).toContain('GPU ms median');
    expect(html).toContain('SwiftShader');
  });

  it('merges a PyTorch reference: its rows join the shape, the library gains vs PyTorch', () => {
    // A fixture, not a measurement: the reference's GPU median is set to twice the library's.
    const copy = structuredClone(res);
    const lib = copy.shapes[0].impls.find((r) => r.id === 'lib')!;
    const t = lib.gpu ?? lib.wall!;
    const doubled = { ...t, median: 2 * t.median };
    const ref: TorchReference = {
      schema: 1, kind: 'torch-reference', device: 'fixture', versions: { torch: 'fixture' }, notes: [],
      shapes: [{ rows: 8, classes: 64, impls: [{ id: 'torch-cuda', label: 'fixture', work: 'forward', check: { ok: true, loss: 1, expected: 1, relErr: 0, message: '' }, wall: doubled, gpu: lib.gpu ? doubled : undefined }] }],
    };
    expect(mergeReference(copy, ref)).toEqual([]);
    expect(copy.shapes[0].impls.find((r) => r.id === 'lib')!.vsTorch).toBeCloseTo(2, 10);
    expect(copy.reference?.device).toBe('fixture');
    expect(summary(copy).every((l) => l.length <= WIDTH)).toBe(true);
  });
});
