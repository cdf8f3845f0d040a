// Seeded 2-D classification data sets made in the page: interleaved spirals or Gaussian blobs.
import { mulberry32, normal } from '../src/reference/random';

export type DatasetKind = 'spirals' | 'blobs';

export interface DatasetSpec {
  kind: DatasetKind;
  classes: number;
  perClass: number;
  /** Standard deviation of the noise, in units of the data's radius (the plot spans [-1, 1]). */
  noise: number;
  seed: number;
}

export interface Dataset {
  spec: DatasetSpec;
  /** [rows, 2] row-major, in [-1, 1] roughly. */
  x: Float32Array;
  /** [rows] class of each point. */
  y: Int32Array;
  rows: number;
}

/**
 * Spirals: class k is an arm r ∈ [0.08, 1], angle θ = 2πk/K + 4·r (plus noise on θ scaled by the
 * radius), the classic "CS231n spiral" that no linear model separates.
 * Blobs: K Gaussian clusters with centres on a circle of radius 0.6, spread 0.12 + noise.
 */
export function makeDataset(spec: DatasetSpec): Dataset {
  const { classes: K, perClass: n, noise, seed } = spec;
  const rng = mulberry32(seed);
  const rows = K * n;
  const x = new Float32Array(rows * 2);
  const y = new Int32Array(rows);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) {
      const row = k * n + i;
      let px: number;
      let py: number;
      if (spec.kind === 'spirals') {
        const r = 0.08 + (0.92 * i) / Math.max(1, n - 1);
        const theta = (2 * Math.PI * k) / K + 4 * r + noise * 2.5 * normal(rng);
        px = r * Math.cos(theta) + 0.2 * noise * normal(rng);
        py = r * Math.sin(theta) + 0.2 * noise * normal(rng);
      } else {
        const a = (2 * Math.PI * k) / K + 0.3;
        const s = 0.12 + noise;
        px = 0.6 * Math.cos(a) + s * normal(rng);
        py = 0.6 * Math.sin(a) + s * normal(rng);
      }
      x[2 * row] = px;
      x[2 * row + 1] = py;
      y[row] = k;
    }
  }
  return { spec, x, y, rows };
}
