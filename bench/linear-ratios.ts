// The comparisons a reader of `npm run bench:linear` wants, per shape: the fused op against the
// unfused path and against TF.js, with a trainable head and with a frozen one. `time` is the fused
// median over the other's (below 1: the fused op is faster); `peak` is the other's peak bytes over
// the fused op's (above 1: the fused op needs that many times less memory).

/** The fields of a benchmark row the ratios read. */
export interface RowFigures { impl: string; medianMs: number; peakBytes?: number }

export interface Ratio { time?: number; peak?: number }

export interface LinearRatios {
  trainable: { vsUnfused?: Ratio; vsTfjs?: Ratio };
  frozen: { vsUnfused?: Ratio; vsTfjs?: Ratio };
}

/** The rows compared: the fused op's row first, then the others it is set against. */
export const PAIRS = {
  trainable: { fused: 'fused', vsUnfused: 'unfused', vsTfjs: 'tfjs-webgpu' },
  frozen: { fused: 'fused-frozen', vsUnfused: 'unfused-frozen', vsTfjs: 'tfjs-webgpu-frozen' },
} as const;

function ratio(fused: RowFigures | undefined, other: RowFigures | undefined): Ratio | undefined {
  if (!fused || !other) return undefined;
  const r: Ratio = {};
  if (other.medianMs > 0) r.time = fused.medianMs / other.medianMs;
  if (fused.peakBytes !== undefined && other.peakBytes !== undefined && fused.peakBytes > 0) r.peak = other.peakBytes / fused.peakBytes;
  return r;
}

/** Ratios of the rows present; a pair with a row missing is left out. */
export function linearRatios(rows: RowFigures[]): LinearRatios {
  const row = (impl: string) => rows.find((r) => r.impl === impl);
  const out: LinearRatios = { trainable: {}, frozen: {} };
  for (const kind of ['trainable', 'frozen'] as const) {
    const p = PAIRS[kind];
    const vsUnfused = ratio(row(p.fused), row(p.vsUnfused));
    const vsTfjs = ratio(row(p.fused), row(p.vsTfjs));
    if (vsUnfused) out[kind].vsUnfused = vsUnfused;
    if (vsTfjs) out[kind].vsTfjs = vsTfjs;
  }
  return out;
}
