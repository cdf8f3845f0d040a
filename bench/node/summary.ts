// The terminal summary of a run: the adapter, then one line per shape (this library's forward and
// fused: time, GB/s, fraction of the roof, a verdict word), every line within 100 columns.
import { find, frac, ms, oneLine, shapeLabel, sig, wrap } from '../format';
import { FAIR, roofFraction, SMALL_SLACK, TARGET_ROOF, verdict } from '../judge';
import { adapterName } from '../report';
import type { BenchResults, ShapeResult } from '../types';

export const WIDTH = 100;

const cols = (c: string[]) => `${c[0].padStart(8)} ${c[1].padStart(7)} ${c[2].padStart(5)} ${c[3].padEnd(7)}`;

export function summary(res: BenchResults): string[] {
  const onGpu = res.shapes.some((s) => s.impls.some((r) => r.gpu));
  const torch = res.shapes.some((s) => s.impls.some((r) => r.vsTorch !== undefined));
  const clock = onGpu ? 'GPU' : 'wall';
  // Time (GPU where measured), GB/s, fraction of the roof, verdict; or why there are none.
  const op = (s: ShapeResult, id: string) => {
    const r = find(s, id);
    const t = onGpu ? r?.gpu : r?.wall;
    const gbps = onGpu ? r?.gpuGbps : r?.gbps;
    const f = roofFraction(r);
    return cols([t ? ms(t.median) : '–', gbps !== undefined ? sig(gbps) : '–', f ? frac(f.value) : '–', verdict(s, s.impls.find((x) => x.id === id))]);
  };
  const vs = (s: ShapeResult) => ['lib', 'lib-grad'].map((id) => find(s, id)?.vsTorch).map((v) => (v === undefined ? '–' : `${sig(v, 2)}×`)).join('/');
  return [
    ...wrap(`adapter: ${adapterName(res)}${res.adapter.isFallback ? ' [a CPU fallback, not a GPU]' : ''}`, WIDTH),
    oneLine(onGpu ? `times: GPU (timestamp-query brackets), medians of up to ${res.config.iters} warm calls`
      : `times: wall (one call + its readback); ${res.gpuTime?.note ?? 'no GPU timestamps'}`, WIDTH),
    `${'shape'.padEnd(20)} ${cols(['fwd ms', 'GB/s', 'roof', 'verdict'])}  ${cols(['fused ms', 'GB/s', 'roof', 'verdict'])}${torch ? '  vs torch' : ''}`.trimEnd(),
    ...res.shapes.map((s) => `${shapeLabel(s).padEnd(20)} ${op(s, 'lib')}  ${op(s, 'lib-grad')}${torch ? `  ${vs(s)}` : ''}`.trimEnd()),
    ...wrap(`roof: fraction of the read roof (fwd) or the read+write roof (fused) measured on this adapter, on ${clock} time. `
      + `good: ≥ ${TARGET_ROOF} (under 1 MB: ≤ ${SMALL_SLACK}× the roof's time); fair: ≥ ${FAIR} of that; poor: below.`
      + `${torch ? ' vs torch: PyTorch CUDA\'s time / this time (fwd/fused).' : ''}`, WIDTH),
  ];
}
