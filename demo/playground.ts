// Part 1: entropy, cross-entropy and KL of one prediction, live. Every number comes from the GPU
// kernels (webgpu-loss) with the float64 oracle's value for the same float32 inputs beside it.
import type { WebGPULoss, GpuTensor } from '../src/index';
import * as ref from '../src/reference/index';
import { PRESETS, type Preset } from './presets';
import { CLASS_COLORS, barHit, drawBars, drawNegLog } from './charts';

export interface Quantities {
  /** H(Q): entropy of the prediction (the bars), as given. */
  entropyQ: number;
  /** H(P): entropy of the target (one-hot, or smoothed). */
  entropyP: number;
  /** CE(P, Q) = −Σ P log Q: the loss against the true class (with label smoothing ε). */
  crossEntropy: number;
  /** KL(P ‖ Q) = CE − H(P). */
  kl: number;
}

export interface Side {
  bits: Quantities;
  nats: Quantities;
  /** Q: the softmax of the logits (logits mode) or the probabilities as given. */
  probs: number[];
  /** d CE / d input in nats (logits: q − p; probabilities: −p / q inside the clip). */
  grad: number[];
}

export interface PlaygroundState {
  preset: string;
  classes: string[];
  mode: 'probs' | 'logits';
  /** The float32 inputs both sides used (probabilities or logits). */
  values: number[];
  trueClass: number;
  smoothing: number;
  /** The target distribution P. */
  target: number[];
  gpu: Side | null;
  oracle: Side | null;
  expected: Preset['expected'] | null;
  /** Completed GPU evaluations since the page loaded. */
  updates: number;
  error: string | null;
}

const LOGIT_RANGE = 8;

export class Playground {
  private preset: Preset = PRESETS[0];
  private values: number[] = [];
  private trueClass = 0;
  private smoothing = 0;
  private keepSum = true;
  private gpu: Side | null = null;
  private oracle: Side | null = null;
  private updates = 0;
  private error: string | null = null;
  private dirty = false;
  private running: Promise<void> | null = null;
  private readonly el: Record<string, HTMLElement>;

  constructor(private readonly wl: WebGPULoss, private readonly onError: (e: unknown) => void) {
    const $ = (id: string) => document.getElementById(id)!;
    this.el = {
      presets: $('presets'), blurb: $('blurb'), bars: $('bars'), logits: $('logits'), logitsWrap: $('logits-wrap'),
      barsTitle: $('bars-title'), truth: $('true-class'), smoothing: $('smoothing'), smoothingOut: $('smoothing-out'),
      keepSum: $('keep-sum'), keepSumWrap: $('keep-sum-wrap'), numbers: $('numbers'), identity: $('identity'),
      neglog: $('neglog'), seed: $('seed-check'),
    };
    for (const p of PRESETS) {
      const b = document.createElement('button');
      b.textContent = p.title;
      b.dataset.id = p.id;
      b.addEventListener('click', () => void this.load(p.id));
      this.el.presets.append(b);
    }
    (this.el.smoothing as HTMLInputElement).addEventListener('input', (e) => {
      this.smoothing = Number((e.target as HTMLInputElement).value);
      this.schedule();
    });
    (this.el.keepSum as HTMLInputElement).addEventListener('change', (e) => {
      this.keepSum = (e.target as HTMLInputElement).checked;
    });
    this.dragOn(this.el.bars as HTMLCanvasElement, 'probs');
    this.dragOn(this.el.logits as HTMLCanvasElement, 'logits');
    window.addEventListener('resize', () => this.render());
  }

  /** Loads a preset and resolves once the GPU and the oracle have evaluated it. */
  async load(id: string): Promise<PlaygroundState> {
    const p = PRESETS.find((x) => x.id === id);
    if (!p) throw new Error(`no preset ${id}`);
    this.preset = p;
    this.values = Array.from(Float32Array.from(p.values));
    this.trueClass = p.trueClass;
    this.smoothing = 0;
    this.keepSum = p.keepSum;
    (this.el.smoothing as HTMLInputElement).value = '0';
    (this.el.keepSum as HTMLInputElement).checked = p.keepSum;
    this.gpu = null;
    this.oracle = null;
    for (const b of Array.from(this.el.presets.querySelectorAll('button'))) b.classList.toggle('active', b.dataset.id === id);
    this.el.blurb.textContent = p.blurb;
    this.el.truth.replaceChildren(...p.classes.map((c, i) => {
      const b = document.createElement('button');
      b.textContent = c;
      b.style.setProperty('--c', CLASS_COLORS[i % CLASS_COLORS.length]);
      b.addEventListener('click', () => {
        this.trueClass = i;
        this.schedule();
      });
      return b;
    }));
    this.schedule();
    return this.settled();
  }

  /** Resolves when no evaluation is pending, with the state it left. */
  async settled(): Promise<PlaygroundState> {
    while (this.running) await this.running;
    return this.state();
  }

  state(): PlaygroundState {
    return {
      preset: this.preset.id,
      classes: [...this.preset.classes],
      mode: this.preset.mode,
      values: [...this.values],
      trueClass: this.trueClass,
      smoothing: this.smoothing,
      target: Array.from(this.target()),
      gpu: this.gpu,
      oracle: this.oracle,
      expected: this.preset.expected,
      updates: this.updates,
      error: this.error,
    };
  }

  /** P = (1 − ε)·onehot(true class) + ε/V, as float32 (the same rule as labelSmoothing). */
  private target(): Float32Array {
    const V = this.values.length;
    const t = new Float32Array(V).fill(this.smoothing / V);
    t[this.trueClass] += 1 - this.smoothing;
    return t;
  }

  private schedule(): void {
    this.dirty = true;
    this.render();
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.evaluate();
        this.render();
      }
    } finally {
      this.running = null;
    }
  }

  /** One evaluation: the GPU and the oracle on the same float32 inputs, bits and nats. */
  private async evaluate(): Promise<void> {
    const V = this.values.length;
    const from = this.preset.mode;
    const x = { data: Float32Array.from(this.values), shape: [1, V] };
    const t = { data: this.target(), shape: [1, V] };
    const y = { data: new Int32Array([this.trueClass]), shape: [1] };
    const eps = this.smoothing;
    const wl = this.wl;
    const owned: GpuTensor[] = [];
    const keep = <T extends GpuTensor | undefined>(g: T): T => {
      if (g) owned.push(g);
      return g;
    };
    try {
      // Upload once; every call below reads these tensors where they are.
      const xg = keep(wl.tensor(x.data, x.shape));
      const tg = keep(wl.tensor(t.data, t.shape));
      const yg = keep(wl.tensor(y.data, y.shape, 'int32'));
      const side = async (base: 2 | 'e') => {
        const [hq, hp, ce, kl] = await Promise.all([
          wl.entropy(xg, { from, base }),
          wl.entropy(tg, { from: 'probs', base }),
          wl.crossEntropy(xg, yg, { from, base, labelSmoothing: eps, grad: base === 'e' }),
          wl.klDivergence(xg, tg, { from, targetFrom: 'probs', base }),
        ]);
        for (const o of [hq, hp, ce, kl]) for (const v of Object.values(o)) keep(v as GpuTensor);
        return { hq: hq.loss, hp: hp.loss, ce: ce.loss, kl: kl.loss, grad: ce.grad };
      };
      const probsT = from === 'logits' ? keep(await wl.softmax(xg)) : undefined;
      const [b, n] = await Promise.all([side(2), side('e')]);
      const read = async (g: GpuTensor | undefined) => (g ? Array.from(await g.read()) : []);
      const [bq, bp, bc, bk, nq, np, nc, nk, grad, probs] = await Promise.all(
        [b.hq, b.hp, b.ce, b.kl, n.hq, n.hp, n.ce, n.kl, n.grad, probsT].map(read),
      );
      this.gpu = {
        bits: { entropyQ: bq[0], entropyP: bp[0], crossEntropy: bc[0], kl: bk[0] },
        nats: { entropyQ: nq[0], entropyP: np[0], crossEntropy: nc[0], kl: nk[0] },
        probs: probsT ? probs : Array.from(x.data),
        grad,
      };
      this.oracle = oracleSide(x, t, y, from, eps);
      this.error = null;
      this.updates++;
    } catch (e) {
      this.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.onError(e);
    } finally {
      for (const g of owned) g.destroy();
    }
  }

  private dragOn(canvas: HTMLCanvasElement, which: 'probs' | 'logits'): void {
    let active = false;
    const apply = (ev: PointerEvent) => {
      const V = this.values.length;
      const [min, max] = which === 'probs' ? [0, 1] : [-LOGIT_RANGE, LOGIT_RANGE];
      const hit = barHit(canvas, V, min, max, ev);
      if (!hit) return;
      this.setValue(which, hit.index, hit.value);
    };
    canvas.addEventListener('pointerdown', (ev) => {
      active = true;
      canvas.setPointerCapture(ev.pointerId);
      apply(ev);
    });
    canvas.addEventListener('pointermove', (ev) => active && apply(ev));
    canvas.addEventListener('pointerup', () => (active = false));
    canvas.addEventListener('pointercancel', () => (active = false));
  }

  /** Sets the true class and the label smoothing of the target (the page's buttons and slider). */
  setTarget(trueClass: number, smoothing: number): void {
    if (!Number.isInteger(trueClass) || trueClass < 0 || trueClass >= this.values.length) throw new Error(`no class ${trueClass}`);
    this.trueClass = trueClass;
    this.smoothing = Math.max(0, Math.min(1, smoothing));
    (this.el.smoothing as HTMLInputElement).value = String(this.smoothing);
    this.schedule();
  }

  /** A drag on a probability bar (either mode) or a logit bar (logits mode). */
  setValue(which: 'probs' | 'logits', i: number, v: number): void {
    const vals = this.values;
    if (which === 'logits') {
      if (this.preset.mode !== 'logits') return;
      vals[i] = v;
    } else if (this.preset.mode === 'logits') {
      // Ask for probability v on class i, keeping the others' ratios: z_i = logit(v) + ln Σ_{j≠i} e^{z_j}.
      const p = Math.min(0.999, Math.max(0.001, v));
      let rest = 0;
      for (let j = 0; j < vals.length; j++) if (j !== i) rest += Math.exp(vals[j]);
      vals[i] = Math.max(-LOGIT_RANGE, Math.min(LOGIT_RANGE, Math.log(p / (1 - p)) + Math.log(rest)));
    } else {
      const old = vals.reduce((a, b, j) => (j === i ? a : a + b), 0);
      vals[i] = v;
      if (this.keepSum) {
        for (let j = 0; j < vals.length; j++) {
          if (j !== i) vals[j] = old > 0 ? (vals[j] * (1 - v)) / old : (1 - v) / (vals.length - 1);
        }
      }
    }
    // Both sides see exactly these float32 values.
    this.values = Array.from(Float32Array.from(vals));
    this.schedule();
  }

  render(): void {
    const p = this.preset;
    const logits = p.mode === 'logits';
    const q = logits ? this.gpu?.probs ?? hostSoftmax(this.values) : this.values;
    const sum = q.reduce((a, b) => a + b, 0);
    this.el.barsTitle.textContent = logits ? 'Prediction Q = softmax(z), on the GPU (drag a bar)' : 'Prediction Q, the probabilities as given (drag a bar)';
    drawBars(this.el.bars as HTMLCanvasElement, {
      labels: p.classes, values: q, min: 0, max: 1, highlight: this.trueClass, format: (v) => v.toFixed(3),
      note: `Σ q = ${sum.toFixed(3)}${Math.abs(sum - 1) > 5e-4 ? ' (used as given, not renormalised)' : ''}`,
      markers: Array.from(this.target()), markerLabel: '- - target P',
    });
    this.el.logitsWrap.hidden = !logits;
    this.el.keepSumWrap.hidden = logits;
    if (logits) {
      const g = this.gpu?.grad;
      drawBars(this.el.logits as HTMLCanvasElement, {
        labels: p.classes, values: this.values, min: -LOGIT_RANGE, max: LOGIT_RANGE, highlight: this.trueClass,
        format: (v) => v.toFixed(2),
        note: g ? `∂CE/∂z = q − p (GPU, nats): ${g.map((v) => v.toFixed(3)).join('  ')}` : '',
      });
    }
    for (const [i, b] of Array.from(this.el.truth.querySelectorAll('button')).entries()) b.classList.toggle('active', i === this.trueClass);
    this.el.smoothingOut.textContent = this.smoothing.toFixed(2);
    this.renderNumbers();
    const qt = q[this.trueClass] ?? 0;
    drawNegLog(this.el.neglog as HTMLCanvasElement, {
      p: qt,
      others: q.map((v, i) => ({ p: v, color: CLASS_COLORS[i % CLASS_COLORS.length] })).filter((_, i) => i !== this.trueClass),
      color: CLASS_COLORS[this.trueClass % CLASS_COLORS.length],
      label: `−log₂ q(${p.classes[this.trueClass]}) = ${(-Math.log2(Math.min(1 - 1e-7, Math.max(qt, 1e-7)))).toFixed(4)} bits`,
    });
  }

  private renderNumbers(): void {
    const g = this.gpu;
    const o = this.oracle;
    const rows: [keyof Quantities, string, string][] = [
      ['entropyQ', 'H(Q)', 'entropy of the prediction'],
      ['crossEntropy', 'CE(P, Q)', 'cross-entropy against the true class'],
      ['entropyP', 'H(P)', 'entropy of the target'],
      ['kl', 'KL(P ‖ Q)', 'KL divergence = CE − H(P)'],
    ];
    const fmt = (v: number | undefined) => (v === undefined ? '…' : Number.isFinite(v) ? v.toFixed(4) : String(v));
    const close = (a: number | undefined, b: number | undefined) =>
      a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b);
    const body = rows.map(([k, sym, name]) => {
      const ok = close(g?.bits[k], o?.bits[k]) && close(g?.nats[k], o?.nats[k]);
      return `<tr><th><span class="sym">${sym}</span><span class="qname">${name}</span></th>` +
        `<td class="gpu">${fmt(g?.bits[k])}</td><td class="ref">${fmt(o?.bits[k])}</td>` +
        `<td class="gpu">${fmt(g?.nats[k])}</td><td class="ref">${fmt(o?.nats[k])}</td>` +
        `<td class="ok">${g && o ? (ok ? '✓' : '✗') : ''}</td></tr>`;
    }).join('');
    this.el.numbers.innerHTML =
      '<thead><tr><th></th><th colspan="2">bits</th><th colspan="2">nats</th><th></th></tr>' +
      '<tr class="sub"><th></th><th>GPU</th><th>oracle</th><th>GPU</th><th>oracle</th><th></th></tr></thead>' +
      `<tbody>${body}</tbody>`;
    const e = this.preset.expected;
    const untouched = this.smoothing === 0 && this.trueClass === this.preset.trueClass &&
      this.values.every((v, i) => v === Math.fround(this.preset.values[i]));
    const got = g ? g.bits[e.quantity] : undefined;
    this.el.seed.innerHTML = untouched && got !== undefined
      ? `The article says <b>${e.bits.toFixed(e.digits)} bits</b> (${e.quantity === 'entropyQ' ? 'entropy' : 'cross-entropy'}); the GPU gives <b>${got.toFixed(e.digits)}</b> ${Math.abs(got - e.bits) <= 0.6 * 10 ** -e.digits ? '✓' : '✗'}`
      : untouched ? '' : 'Edited: <a href="#" id="restore">restore the article\'s example</a>';
    document.getElementById('restore')?.addEventListener('click', (ev) => {
      ev.preventDefault();
      void this.load(this.preset.id);
    });
    this.el.identity.textContent = g
      ? `H(P) + KL(P‖Q) = ${(g.bits.entropyP + g.bits.kl).toFixed(4)} bits = CE(P, Q) ${close(g.bits.entropyP + g.bits.kl, g.bits.crossEntropy) ? '✓' : ''}`
      : '';
    if (this.error) this.el.identity.textContent = this.error;
  }
}

function oracleSide(x: { data: Float32Array; shape: number[] }, t: { data: Float32Array; shape: number[] },
  y: { data: Int32Array; shape: number[] }, from: 'probs' | 'logits', eps: number): Side {
  const q = (base: 2 | 'e'): Quantities => ({
    entropyQ: ref.entropy(x, { from, base }).loss[0],
    entropyP: ref.entropy(t, { from: 'probs', base }).loss[0],
    crossEntropy: ref.crossEntropy(x, y, { from, base, labelSmoothing: eps }).loss[0],
    kl: ref.klDivergence(x, t, { from, targetFrom: 'probs', base }).loss[0],
  });
  return {
    bits: q(2),
    nats: q('e'),
    probs: from === 'logits' ? Array.from(ref.softmax(x)) : Array.from(x.data),
    grad: Array.from(ref.crossEntropy(x, y, { from, labelSmoothing: eps, grad: true }).grad!),
  };
}

function hostSoftmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
