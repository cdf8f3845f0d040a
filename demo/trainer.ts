// Part 2: a small classifier learning in the page. Controls, the frame loop and the charts around
// demo/mlp.ts.
import type { WebGPULoss } from '../src/index';
import { makeDataset, type Dataset, type DatasetKind } from './data';
import { Mlp, GRID, EXTENT, MAX_STEPS_PER_FRAME, type Activation } from './mlp';
import { drawLines, drawRegions, CLASS_COLORS } from './charts';

export interface TrainConfig {
  dataset: DatasetKind;
  classes: number;
  perClass: number;
  noise: number;
  seed: number;
  hidden: number;
  activation: Activation;
  lr: number;
  momentum: number;
}

export interface TrainState {
  config: TrainConfig;
  running: boolean;
  steps: number;
  /** Mean cross-entropy (nats) of every step so far. */
  losses: number[];
  /** Training accuracy at the end of each frame, with the step it was taken at. */
  accuracy: { step: number; value: number }[];
  /** ms per step over the last frame (the steps only, until the GPU finished them). */
  msPerStep: number;
  /** ms for the last frame's grid evaluation and readback. */
  readbackMs: number;
  error: string | null;
}

export const DEFAULT_CONFIG: TrainConfig = {
  dataset: 'spirals', classes: 4, perClass: 100, noise: 0.1, seed: 7, hidden: 32, activation: 'tanh', lr: 0.05, momentum: 0.9,
};

/** Frame budget for the steps themselves (ms); the steps per frame adapt to it. */
const FRAME_BUDGET_MS = 60;

export class Trainer {
  private config: TrainConfig = { ...DEFAULT_CONFIG };
  private data!: Dataset;
  private mlp: Mlp | null = null;
  private losses: number[] = [];
  private accuracy: { step: number; value: number }[] = [];
  private gridProbs: Float32Array | null = null;
  private msPerStep = NaN;
  private readbackMs = NaN;
  private stepsPerFrame = 8;
  private running = false;
  private busy: Promise<void> = Promise.resolve();
  private generation = 0;
  private error: string | null = null;
  private readonly el: Record<string, HTMLElement>;

  constructor(private readonly wl: WebGPULoss, private readonly onError: (e: unknown) => void) {
    const $ = (id: string) => document.getElementById(id)!;
    this.el = {
      regions: $('regions'), loss: $('loss-chart'), start: $('t-start'), reset: $('t-reset'), stepBtn: $('t-step'),
      lr: $('t-lr'), lrOut: $('t-lr-out'), classes: $('t-classes'), dataset: $('t-dataset'), noise: $('t-noise'),
      noiseOut: $('t-noise-out'), seed: $('t-seed'), act: $('t-act'), hidden: $('t-hidden'), stats: $('t-stats'),
      legend: $('t-legend'),
    };
    this.el.start.addEventListener('click', () => (this.running ? this.pause() : this.start()));
    this.el.stepBtn.addEventListener('click', () => void this.runSteps(100));
    this.el.reset.addEventListener('click', () => void this.reset());
    const num = (id: string) => Number((this.el[id] as HTMLInputElement).value);
    this.el.lr.addEventListener('input', () => {
      this.config.lr = 10 ** num('lr');
      this.mlp?.setLearningRate(this.config.lr);
      this.renderControls();
    });
    const resetOn = (id: string, f: () => void) => this.el[id].addEventListener('change', () => {
      f();
      void this.reset();
    });
    resetOn('classes', () => (this.config.classes = Math.max(2, Math.min(CLASS_COLORS.length, Math.round(num('classes')) || 2))));
    resetOn('dataset', () => (this.config.dataset = (this.el.dataset as HTMLSelectElement).value as DatasetKind));
    resetOn('noise', () => (this.config.noise = num('noise')));
    resetOn('seed', () => (this.config.seed = Math.max(0, Math.floor(num('seed')))));
    resetOn('act', () => (this.config.activation = (this.el.act as HTMLSelectElement).value as Activation));
    resetOn('hidden', () => (this.config.hidden = num('hidden')));
    this.el.noise.addEventListener('input', () => {
      this.el.noiseOut.textContent = num('noise').toFixed(2);
    });
    window.addEventListener('resize', () => this.render());
  }

  /** Applies a configuration (merged into the current one), rebuilds data and model, paused. */
  async configure(c: Partial<TrainConfig> = {}): Promise<TrainState> {
    this.config = { ...this.config, ...c };
    await this.reset(false);
    return this.state();
  }

  /** New data set and freshly initialised model for the current configuration. */
  async reset(keepRunning = true): Promise<void> {
    const wasRunning = this.running && keepRunning;
    this.running = false;
    const gen = ++this.generation;
    await this.busy.catch(() => {});
    if (gen !== this.generation) return;
    this.mlp?.destroy();
    this.mlp = null;
    const c = this.config;
    this.data = makeDataset({ kind: c.dataset, classes: c.classes, perClass: c.perClass, noise: c.noise, seed: c.seed });
    this.losses = [];
    this.accuracy = [];
    this.gridProbs = null;
    this.msPerStep = NaN;
    this.readbackMs = NaN;
    this.stepsPerFrame = 8;
    this.error = null;
    this.renderControls();
    this.render();
    const job = (async () => {
      this.mlp = await Mlp.create(this.wl, this.data, {
        hidden: c.hidden, classes: c.classes, activation: c.activation, lr: c.lr, momentum: c.momentum, seed: c.seed + 1,
      });
      await this.frame(0); // the untrained model's decision regions
    })();
    this.busy = job;
    await job.catch((e) => this.fail(e));
    if (wasRunning) this.start();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.renderControls();
    const gen = this.generation;
    const tick = async () => {
      if (!this.running || gen !== this.generation) return;
      const job = this.frame(this.stepsPerFrame);
      this.busy = job;
      try {
        await job;
      } catch (e) {
        this.fail(e);
        return;
      }
      // Adapt the steps per frame to the measured step time (at most MAX_STEPS_PER_FRAME).
      if (Number.isFinite(this.msPerStep) && this.msPerStep > 0) {
        this.stepsPerFrame = Math.max(1, Math.min(MAX_STEPS_PER_FRAME, Math.round(FRAME_BUDGET_MS / this.msPerStep)));
      }
      requestAnimationFrame(() => void tick());
    };
    requestAnimationFrame(() => void tick());
  }

  pause(): void {
    this.running = false;
    this.renderControls();
  }

  /** Pauses the live loop and runs exactly `n` more steps, `perFrame` at a time (one readback each). */
  async runSteps(n: number, perFrame = 100): Promise<TrainState> {
    this.pause();
    await this.busy.catch(() => {});
    for (let left = n; left > 0 && !this.error; left -= perFrame) {
      const job = this.frame(Math.min(perFrame, left));
      this.busy = job;
      await job.catch((e) => this.fail(e));
    }
    return this.state();
  }

  state(): TrainState {
    return {
      config: { ...this.config },
      running: this.running,
      steps: this.mlp?.steps ?? 0,
      losses: [...this.losses],
      accuracy: [...this.accuracy],
      msPerStep: this.msPerStep,
      readbackMs: this.readbackMs,
      error: this.error,
    };
  }

  private async frame(n: number): Promise<void> {
    const mlp = this.mlp;
    if (!mlp) return;
    const r = await mlp.frame(n, (e) => this.fail(e));
    if (mlp !== this.mlp) return;
    for (const v of r.losses) this.losses.push(v);
    if (Number.isFinite(r.accuracy)) this.accuracy.push({ step: mlp.steps, value: r.accuracy });
    if (n > 0) this.msPerStep = r.stepsMs / n;
    this.readbackMs = r.readbackMs;
    this.gridProbs = r.gridProbs;
    this.render();
  }

  private fail(e: unknown): void {
    this.running = false;
    this.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    this.onError(e);
    this.renderControls();
  }

  private renderControls(): void {
    const c = this.config;
    this.el.start.textContent = this.running ? 'Pause' : 'Start';
    this.el.start.classList.toggle('primary', !this.running);
    (this.el.lr as HTMLInputElement).value = String(Math.log10(c.lr));
    this.el.lrOut.textContent = c.lr.toPrecision(2);
    (this.el.classes as HTMLInputElement).value = String(c.classes);
    (this.el.dataset as HTMLSelectElement).value = c.dataset;
    (this.el.noise as HTMLInputElement).value = String(c.noise);
    this.el.noiseOut.textContent = c.noise.toFixed(2);
    (this.el.seed as HTMLInputElement).value = String(c.seed);
    (this.el.act as HTMLSelectElement).value = c.activation;
    (this.el.hidden as HTMLSelectElement).value = String(c.hidden);
    this.el.legend.replaceChildren(...Array.from({ length: c.classes }, (_, k) => {
      const s = document.createElement('span');
      s.className = 'swatch';
      s.style.setProperty('--c', CLASS_COLORS[k]);
      s.textContent = `class ${k}`;
      return s;
    }));
  }

  render(): void {
    if (!this.data) return;
    const c = this.config;
    drawRegions(this.el.regions as HTMLCanvasElement, GRID, this.gridProbs, c.classes, this.data.x, this.data.y, EXTENT);
    const steps = this.losses.length;
    const chance = Math.log(c.classes);
    const maxLoss = Math.max(chance * 1.25, ...this.losses.slice(0, 20));
    drawLines(this.el.loss as HTMLCanvasElement, [
      { values: this.losses, color: '#2e86ab', label: 'loss (nats, from crossEntropy)', axis: 'left' },
      { values: this.accuracy.map((a) => a.value), xs: this.accuracy.map((a) => a.step), color: '#e4572e', label: 'training accuracy', axis: 'right' },
    ], Math.max(100, steps), maxLoss, { y: chance, label: `ln ${c.classes}: a uniform guess` });
    const last = this.losses[steps - 1];
    const acc = this.accuracy[this.accuracy.length - 1]?.value;
    const cell = (label: string, value: string) => `<div><span>${label}</span><b>${value}</b></div>`;
    this.el.stats.innerHTML = [
      cell('step', String(this.mlp?.steps ?? 0)),
      cell('loss', last === undefined ? '–' : last.toFixed(4)),
      cell('accuracy', acc === undefined ? '–' : `${(acc * 100).toFixed(1)} %`),
      cell('time / step', Number.isFinite(this.msPerStep) ? `${this.msPerStep.toFixed(2)} ms` : '–'),
      cell('steps / frame', String(this.running ? this.stepsPerFrame : '–')),
    ].join('') + (this.error ? `<div class="err">${this.error}</div>` : '');
  }
}
