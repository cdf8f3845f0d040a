// Hand-drawn canvas charts: bars, the −log p curve, a line chart, the decision regions. No library.

export const CLASS_COLORS = ['#e4572e', '#2e86ab', '#5aa02c', '#f3a712', '#8e44ad', '#17a398'];
const INK = '#1f2933';
const MUTED = '#7b8794';
const GRIDLINE = '#e4e7eb';
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** A canvas sized for the device pixel ratio; drawing uses CSS pixels. */
export function setupCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || Number(canvas.getAttribute('width')) || 300;
  const h = canvas.clientHeight || Number(canvas.getAttribute('height')) || 150;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = FONT;
  return { ctx, w, h };
}

export interface BarSpec {
  labels: string[];
  values: number[];
  /** Value range of the axis. */
  min: number;
  max: number;
  /** Index drawn emphasised (the true class). */
  highlight?: number;
  format: (v: number) => string;
  /** Text in the top-right corner. */
  note?: string;
  /** Optional thin markers drawn over each bar (e.g. the target distribution). */
  markers?: number[];
  markerLabel?: string;
}

export const BAR_PAD = { l: 36, r: 10, t: 22, b: 26 };

/** Bar geometry shared by drawing and hit-testing (drag). */
export function barLayout(w: number, h: number, n: number) {
  const plotW = w - BAR_PAD.l - BAR_PAD.r;
  const slot = plotW / n;
  const barW = Math.min(64, slot * 0.62);
  return { plotW, plotH: h - BAR_PAD.t - BAR_PAD.b, slot, barW, x0: BAR_PAD.l, y0: BAR_PAD.t };
}

export function drawBars(canvas: HTMLCanvasElement, s: BarSpec): void {
  const { ctx, w, h } = setupCanvas(canvas);
  const n = s.values.length;
  const L = barLayout(w, h, n);
  const y = (v: number) => L.y0 + L.plotH * (1 - (Math.max(s.min, Math.min(s.max, v)) - s.min) / (s.max - s.min));
  // Axis and gridlines.
  ctx.strokeStyle = GRIDLINE;
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const ticks = niceTicks(s.min, s.max, 4);
  for (const t of ticks) {
    ctx.beginPath();
    ctx.moveTo(L.x0, y(t));
    ctx.lineTo(w - BAR_PAD.r, y(t));
    ctx.stroke();
    ctx.fillText(trimNum(t), L.x0 - 6, y(t));
  }
  const zeroY = y(Math.max(s.min, Math.min(s.max, 0)));
  ctx.strokeStyle = '#9aa5b1';
  ctx.beginPath();
  ctx.moveTo(L.x0, zeroY);
  ctx.lineTo(w - BAR_PAD.r, zeroY);
  ctx.stroke();
  for (let i = 0; i < n; i++) {
    const cx = L.x0 + L.slot * (i + 0.5);
    const v = s.values[i];
    const top = Math.min(y(v), zeroY);
    const hgt = Math.max(1, Math.abs(y(v) - zeroY));
    const color = CLASS_COLORS[i % CLASS_COLORS.length];
    ctx.fillStyle = color;
    ctx.globalAlpha = s.highlight === undefined || s.highlight === i ? 0.95 : 0.55;
    roundRect(ctx, cx - L.barW / 2, top, L.barW, hgt, 4);
    ctx.fill();
    ctx.globalAlpha = 1;
    if (s.highlight === i) {
      ctx.strokeStyle = INK;
      ctx.lineWidth = 2;
      roundRect(ctx, cx - L.barW / 2, top, L.barW, hgt, 4);
      ctx.stroke();
      ctx.lineWidth = 1;
    }
    if (s.markers) {
      const my = y(s.markers[i]);
      ctx.strokeStyle = INK;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(cx - L.barW / 2 - 5, my);
      ctx.lineTo(cx + L.barW / 2 + 5, my);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // Value above (or below) the bar; handle for dragging.
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = v >= 0 ? 'bottom' : 'top';
    ctx.fillText(s.format(v), cx, v >= 0 ? top - 3 : top + hgt + 3);
    ctx.textBaseline = 'top';
    ctx.fillStyle = s.highlight === i ? INK : MUTED;
    ctx.font = s.highlight === i ? `600 ${FONT}` : FONT;
    ctx.fillText(s.labels[i], cx, h - BAR_PAD.b + 7);
    ctx.font = FONT;
  }
  if (s.note) {
    ctx.fillStyle = MUTED;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillText(s.note, w - BAR_PAD.r, 2);
  }
  if (s.markers && s.markerLabel) {
    ctx.fillStyle = MUTED;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(s.markerLabel, L.x0, 2);
  }
}

/** Value at a pointer position over a bar chart, and the bar it is over. */
export function barHit(canvas: HTMLCanvasElement, n: number, min: number, max: number, ev: PointerEvent): { index: number; value: number } | null {
  const r = canvas.getBoundingClientRect();
  const L = barLayout(r.width, r.height, n);
  const px = ev.clientX - r.left;
  const py = ev.clientY - r.top;
  const index = Math.floor((px - L.x0) / L.slot);
  if (index < 0 || index >= n) return null;
  const value = min + (max - min) * (1 - (py - L.y0) / L.plotH);
  return { index, value: Math.max(min, Math.min(max, value)) };
}

export interface CurveSpec {
  /** Probability of the true class (the current point). */
  p: number;
  /** Other classes' probabilities (grey points). */
  others: { p: number; color: string }[];
  color: string;
  label: string;
}

/** y = −log₂ p over (0, 1], with the current point on it. */
export function drawNegLog(canvas: HTMLCanvasElement, s: CurveSpec): void {
  const { ctx, w, h } = setupCanvas(canvas);
  const pad = { l: 36, r: 12, t: 14, b: 30 };
  const yMax = 7;
  const X = (p: number) => pad.l + (w - pad.l - pad.r) * p;
  const Y = (b: number) => pad.t + (h - pad.t - pad.b) * (1 - Math.min(b, yMax) / yMax);
  ctx.strokeStyle = GRIDLINE;
  ctx.fillStyle = MUTED;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (let b = 0; b <= yMax; b++) {
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(b));
    ctx.lineTo(w - pad.r, Y(b));
    ctx.stroke();
    if (b % 2 === 0 || b === yMax) ctx.fillText(String(b), pad.l - 6, Y(b));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const p of [0, 0.25, 0.5, 0.75, 1]) ctx.fillText(String(p), X(p), h - pad.b + 5);
  ctx.fillText('probability given to the true class', pad.l + (w - pad.l - pad.r) / 2, h - 13);
  ctx.save();
  ctx.translate(10, pad.t + (h - pad.t - pad.b) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('−log₂ p (bits)', 0, -6);
  ctx.restore();
  // The curve.
  ctx.strokeStyle = INK;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let i = 0; i <= 400; i++) {
    const p = Math.max(2 ** -yMax, i / 400);
    const xx = X(p);
    const yy = Y(-Math.log2(p));
    if (i === 0) ctx.moveTo(xx, yy);
    else ctx.lineTo(xx, yy);
  }
  ctx.stroke();
  ctx.lineWidth = 1;
  for (const o of s.others) {
    ctx.fillStyle = o.color;
    ctx.globalAlpha = 0.5;
    ctx.beginPath();
    ctx.arc(X(o.p), Y(-Math.log2(Math.max(o.p, 1e-7))), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  const bits = -Math.log2(Math.max(s.p, 1e-7));
  const px = X(s.p);
  const py = Y(bits);
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = s.color;
  ctx.beginPath();
  ctx.moveTo(px, Y(0));
  ctx.lineTo(px, py);
  ctx.lineTo(pad.l, py);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = s.color;
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(px, py, 6.5, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
  ctx.lineWidth = 1;
  ctx.font = `600 ${FONT}`;
  ctx.textBaseline = 'bottom';
  ctx.textAlign = px > w * 0.6 ? 'right' : 'left';
  const lx = px + (px > w * 0.6 ? -10 : 10);
  const ly = Math.max(pad.t + 16, py - 12);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 4;
  ctx.lineJoin = 'round';
  ctx.strokeText(s.label, lx, ly);
  ctx.lineWidth = 1;
  ctx.fillStyle = INK;
  ctx.fillText(s.label, lx, ly);
}

export interface LineSeries {
  values: ArrayLike<number>;
  /** x of each value (same length); defaults to the index. */
  xs?: ArrayLike<number>;
  color: string;
  label: string;
  /** Which y axis: left (loss) or right (0..1). */
  axis: 'left' | 'right';
  dots?: boolean;
}

/** Loss (left axis, from 0) and accuracy (right axis, 0..1) against the step. */
export function drawLines(canvas: HTMLCanvasElement, series: LineSeries[], xMax: number, leftMax: number, hline?: { y: number; label: string }): void {
  const { ctx, w, h } = setupCanvas(canvas);
  const pad = { l: 40, r: 40, t: 24, b: 26 };
  const X = (x: number) => pad.l + ((w - pad.l - pad.r) * x) / Math.max(1, xMax);
  const YL = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - Math.min(v, leftMax) / leftMax);
  const YR = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v);
  ctx.strokeStyle = GRIDLINE;
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(0, leftMax, 4)) {
    ctx.beginPath();
    ctx.moveTo(pad.l, YL(t));
    ctx.lineTo(w - pad.r, YL(t));
    ctx.stroke();
    ctx.fillStyle = series[0]?.color ?? MUTED;
    ctx.textAlign = 'right';
    ctx.fillText(trimNum(t), pad.l - 6, YL(t));
  }
  ctx.textAlign = 'left';
  ctx.fillStyle = series.find((s) => s.axis === 'right')?.color ?? MUTED;
  for (const t of [0, 0.5, 1]) ctx.fillText(`${t * 100}%`, w - pad.r + 6, YR(t));
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(0, xMax, 5)) ctx.fillText(trimNum(t), X(t), h - pad.b + 6);
  if (hline) {
    ctx.strokeStyle = MUTED;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(pad.l, YL(hline.y));
    ctx.lineTo(w - pad.r, YL(hline.y));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = MUTED;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText(hline.label, pad.l + 6, YL(hline.y) - 2);
  }
  for (const s of series) {
    const Y = s.axis === 'left' ? YL : YR;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    const n = s.values.length;
    // At most ~2 points per pixel: take the mean of each bucket.
    const step = Math.max(1, Math.floor(n / ((w - pad.l - pad.r) * 2)));
    for (let i = 0; i < n; i += step) {
      let sum = 0;
      let k = 0;
      for (let j = i; j < Math.min(n, i + step); j++, k++) sum += s.values[j];
      const x = s.xs ? s.xs[i] : i + 1;
      if (s.xs && n === 1) {
        ctx.beginPath();
        ctx.arc(X(x), Y(sum / k), 2.5, 0, 2 * Math.PI);
        ctx.fill();
        ctx.beginPath();
      }
      if (i === 0) ctx.moveTo(X(x), Y(sum / k));
      else ctx.lineTo(X(x), Y(sum / k));
    }
    ctx.stroke();
    ctx.lineWidth = 1;
  }
  // Legend.
  let lx = pad.l;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  for (const s of series) {
    ctx.fillStyle = s.color;
    ctx.fillRect(lx, 6, 14, 3);
    ctx.fillStyle = INK;
    ctx.fillText(s.label, lx + 18, 2);
    lx += ctx.measureText(s.label).width + 36;
  }
}

/**
 * Decision regions: each grid cell coloured by the class colours mixed by the model's
 * probabilities, paled towards white where the model is unsure; the data points on top.
 */
export function drawRegions(canvas: HTMLCanvasElement, grid: number, probs: Float32Array | null, classes: number,
  points: Float32Array, labels: Int32Array, extent: number): void {
  const { ctx, w, h } = setupCanvas(canvas);
  if (probs) {
    const img = new ImageData(grid, grid);
    const rgb = CLASS_COLORS.slice(0, classes).map(hexRgb);
    for (let i = 0; i < grid * grid; i++) {
      let r = 0, g = 0, b = 0, top = 0;
      for (let k = 0; k < classes; k++) {
        const p = probs[i * classes + k];
        r += p * rgb[k][0];
        g += p * rgb[k][1];
        b += p * rgb[k][2];
        top = Math.max(top, p);
      }
      // Confidence 1/K (unsure) → almost white; 1 → a light tint of the class colour.
      const c = classes > 1 ? (top - 1 / classes) / (1 - 1 / classes) : 1;
      const a = 0.12 + 0.5 * c;
      img.data[4 * i] = 255 + (r - 255) * a;
      img.data[4 * i + 1] = 255 + (g - 255) * a;
      img.data[4 * i + 2] = 255 + (b - 255) * a;
      img.data[4 * i + 3] = 255;
    }
    const off = document.createElement('canvas');
    off.width = grid;
    off.height = grid;
    off.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(off, 0, 0, w, h);
  } else {
    ctx.fillStyle = '#f5f7fa';
    ctx.fillRect(0, 0, w, h);
  }
  const X = (x: number) => ((x + extent) / (2 * extent)) * w;
  const Y = (y: number) => ((extent - y) / (2 * extent)) * h;
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  for (let i = 0; i < labels.length; i++) {
    ctx.fillStyle = CLASS_COLORS[labels[i] % CLASS_COLORS.length];
    ctx.beginPath();
    ctx.arc(X(points[2 * i]), Y(points[2 * i + 1]), 3.2, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  r = Math.min(r, w / 2, h / 2);
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

function niceTicks(lo: number, hi: number, n: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.round(t / step) * step);
  return out;
}

function trimNum(v: number): string {
  return Math.abs(v) >= 1000 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
}
