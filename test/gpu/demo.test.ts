// The demo page (demo/), as shipped: built with its own Vite config into a temporary folder and
// served statically on 127.0.0.1, then driven in the shared headless Chromium. Building it here
// (about a second) tests what `npm run build:demo` produces — relative asset paths, the library's
// shaders and the demo's WGSL inlined — rather than the dev server's on-the-fly modules.
//
// It checks every preset's numbers against the float64 oracle (read from window.__demo, not the
// text), trains the model for a fixed number of steps with a fixed seed, asserts that no WebGPU
// error was raised, and saves a screenshot (test-artifacts/demo.png, docs/demo.png).
import { it, expect, beforeAll, afterAll, inject } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';
import type { DemoReady } from '../../demo/api';
import type { PlaygroundState, Quantities, Side } from '../../demo/playground';
import type { TrainState } from '../../demo/trainer';
import { buildAndServe, type StaticBuild } from './static-build';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFIG = join(ROOT, 'demo', 'vite.config.ts');
// The demo's rows have at most 4 classes; it is held to the general loss and gradient tolerances.
const LOSS = TOL.loss;
const GRAD = TOL.grad();
/** A fixed training setup (the page's defaults, spelled out): 400 points on four spirals, tanh 2 → 32 → 32 → 4. */
const TRAIN = { dataset: 'spirals', classes: 4, perClass: 100, noise: 0.1, seed: 7, activation: 'tanh', hidden: 32, lr: 0.05, momentum: 0.9 };
const QUANTITIES: (keyof Quantities)[] = ['entropyQ', 'entropyP', 'crossEntropy', 'kl'];

let demoSite: StaticBuild;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  demoSite = await buildAndServe(CONFIG, 'demo');
  const { origin } = demoSite;
  browser = await puppeteer.connect({ browserWSEndpoint: inject('wsEndpoint'), protocolTimeout: 600_000 });
  page = await browser.newPage();
  await page.setViewport({ width: 1240, height: 900, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => pageErrors.push(`[pageerror] ${(e as Error).message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`[console] ${m.text()}`);
  });
  // ?paused: the model waits untrained, so the test decides every step it takes.
  await page.goto(`${origin}index.html?paused`, { waitUntil: 'load' });
  await page.waitForFunction('window.__demoReady !== undefined', { timeout: 120_000 });
});

afterAll(async () => {
  await page?.close();
  await browser?.disconnect();
  await demoSite?.close();
});

const demo = <T>(fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate((f: string, a: unknown[]) => {
    const [obj, name] = f.split('.') as [string, string];
    const api = window.__demo as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>;
    return api[obj][name](...a);
  }, fn, args) as Promise<T>;

async function noErrors(): Promise<void> {
  const errors = await page.evaluate(() => window.__demo!.errors);
  expect(errors, 'WebGPU errors in the demo').toEqual([]);
  expect(pageErrors, 'page errors').toEqual([]);
}

function compare(s: PlaygroundState, label: string): void {
  expect(s.error, label).toBeNull();
  const g = s.gpu as Side;
  const o = s.oracle as Side;
  expect(g, `${label}: GPU values`).toBeTruthy();
  for (const unit of ['bits', 'nats'] as const) {
    assertClose(QUANTITIES.map((q) => g[unit][q]), QUANTITIES.map((q) => o[unit][q]), LOSS, `${label} ${unit} [H(Q), H(P), CE, KL]`);
  }
  assertClose(g.probs, o.probs, LOSS, `${label} probabilities`);
  assertClose(g.grad, o.grad, GRAD, `${label} d CE / d input`);
  // Bits are nats / ln 2. KL = CE − H(P) up to float32 rounding: KL and H(P) read the target P as
  // float32 values while CE smooths the label in float64, and CE also clips q at 1 − ε (1e-7).
  assertClose([g.bits.crossEntropy], [g.nats.crossEntropy / Math.LN2], LOSS, `${label} bits vs nats`);
  assertClose([o.bits.kl], [o.bits.crossEntropy - o.bits.entropyP], TOL.float32Inputs, `${label} KL = CE − H(P)`);
}

it('finds a WebGPU adapter and describes it', async () => {
  const ready = (await page.evaluate(() => window.__demoReady)) as DemoReady;
  expect(ready.ok, ready.ok ? '' : ready.error).toBe(true);
  if (!ready.ok) return;
  expect(ready.adapter.vendor || ready.adapter.architecture).toBeTruthy();
  expect(typeof ready.adapter.fallback).toBe('boolean');
  expect(Array.isArray(ready.adapter.features)).toBe(true);
});

it('shows every seed example with the GPU values equal to the oracle and the article', async () => {
  const ids = await page.evaluate(() => window.__demo!.presets);
  expect(ids).toEqual(['container1', 'container2', 'container3', 'forecast', 'animals', 'vehicles']);
  for (const id of ids) {
    const s = await demo<PlaygroundState>('playground.load', id);
    compare(s, id);
    const e = s.expected!;
    // The article's printed value, to its printed digits.
    assertClose([s.oracle!.bits[e.quantity]], [e.bits], TOL.quoted(e.digits), `${id}: ${e.quantity}`);
  }
  await noErrors();
});

it('uses the cat/dog/horse/fox probabilities as given (sum 0.9) and the car logits through softmax', async () => {
  const cat = await demo<PlaygroundState>('playground.load', 'animals');
  expect(cat.mode).toBe('probs');
  expect(cat.values.reduce((a, b) => a + b, 0)).toBeCloseTo(0.9, 6);
  assertClose([cat.gpu!.bits.crossEntropy], [1.3219], TOL.quoted(4), 'cat, bits');
  const car = await demo<PlaygroundState>('playground.load', 'vehicles');
  expect(car.mode).toBe('logits');
  assertClose(car.gpu!.probs, [0.775, 0.116, 0.039, 0.07], LOSS, 'car softmax');
  assertClose([car.gpu!.bits.crossEntropy], [0.3677], TOL.quoted(4), 'car, bits');
});

it('recomputes on the GPU when bars are dragged, the true class changes or the target is smoothed', async () => {
  await demo('playground.load', 'animals');
  let s = await demo<PlaygroundState>('playground.set', 'probs', 1, 0.05);
  expect(s.values[1]).toBeCloseTo(0.05, 6);
  compare(s, 'animals, dog dragged to 0.05');
  s = await demo<PlaygroundState>('playground.target', 2, 0.2);
  expect(s.target.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  compare(s, 'animals, horse, ε = 0.2');
  await demo('playground.load', 'vehicles');
  s = await demo<PlaygroundState>('playground.set', 'logits', 2, 3.5);
  compare(s, 'vehicles, plane logit 3.5');
  s = await demo<PlaygroundState>('playground.set', 'probs', 0, 0.95);
  assertClose([s.gpu!.probs[0]], [0.95], TOL.quoted(4), 'car probability');
  compare(s, 'vehicles, car dragged to 0.95');
  s = await demo<PlaygroundState>('playground.load', 'container3');
  s = await demo<PlaygroundState>('playground.target', 1, 0);
  // q(cube) = 0 is clipped at ε = 1e-7 before the log: finite, −log₂ 1e-7 ≈ 23.25 bits.
  assertClose([s.gpu!.bits.crossEntropy], [-Math.log2(1e-7)], TOL.quoted(3), 'clipped cross-entropy');
  compare(s, 'container 3 against cube');
  await noErrors();
});

it('follows a mouse drag on the probability bars', async () => {
  await demo('playground.load', 'animals');
  const box = (await (await page.$('#bars'))!.boundingBox())!;
  // demo/charts.ts barLayout: 36 px left, 10 px right, 22 px top, 26 px bottom; 4 bars.
  const slot = (box.width - 46) / 4;
  const at = (bar: number, p: number) => [box.x + 36 + slot * (bar + 0.5), box.y + 22 + (box.height - 48) * (1 - p)] as const;
  await page.mouse.move(...at(2, 0.1));
  await page.mouse.down();
  await page.mouse.move(...at(2, 0.35), { steps: 5 });
  await page.mouse.up();
  const s = await demo<PlaygroundState>('playground.settled');
  expect(s.values[2]).toBeGreaterThan(0.3);
  expect(s.values[2]).toBeLessThan(0.4);
  // keepSum is off for this example: the other bars stay as given.
  expect(s.values[0]).toBeCloseTo(0.4, 6);
  compare(s, 'animals, horse dragged by the mouse');
  await noErrors();
});

it('trains deterministically: the same seed gives the same losses, bit for bit', async () => {
  await demo('trainer.configure', TRAIN);
  const a = await demo<TrainState>('trainer.runSteps', 40, 40);
  await demo('trainer.configure', {});
  const b = await demo<TrainState>('trainer.runSteps', 40, 40);
  expect(b.losses).toHaveLength(40);
  expect(b.losses).toEqual(a.losses);
  await noErrors();
});

it('trains the classifier: the loss falls well below its start and accuracy rises far above chance', async () => {
  const STEPS = 400;
  const t0 = Date.now();
  const start = await demo<TrainState>('trainer.configure', TRAIN);
  expect(start.steps).toBe(0);
  expect(start.accuracy).toHaveLength(1); // the untrained model's, at step 0
  expect(start.accuracy[0].step).toBe(0);
  const held = await page.evaluate(() => window.__demo!.stats());
  const s = await demo<TrainState>('trainer.runSteps', STEPS, 100);
  // Every per-step library output (loss, label check, extras, grid softmax) was freed.
  expect(await page.evaluate(() => window.__demo!.stats())).toEqual(held);
  const seconds = (Date.now() - t0) / 1000;
  expect(s.error).toBeNull();
  expect(s.steps).toBe(STEPS);
  expect(s.losses).toHaveLength(STEPS);
  const first = s.losses[0];
  const last = s.losses[STEPS - 1];
  // An untrained 4-class model starts near ln 4 ≈ 1.39 nats.
  expect(first).toBeGreaterThan(1.0);
  expect(first).toBeLessThan(1.8);
  expect(last, `loss ${first} → ${last}`).toBeLessThan(0.5 * first);
  const acc = s.accuracy[s.accuracy.length - 1].value;
  expect(acc, `accuracy after ${STEPS} steps`).toBeGreaterThan(0.8); // chance is 1/4
  expect(acc).toBeGreaterThan(start.accuracy[0].value + 0.3);
  console.log(`demo training: ${STEPS} steps in ${seconds.toFixed(1)} s (${s.msPerStep.toFixed(2)} ms/step in the last frame), ` +
    `loss ${first.toFixed(3)} → ${last.toFixed(3)}, accuracy ${(acc * 100).toFixed(1)} %`);
  await noErrors();
});

it('saves a screenshot of the page', async () => {
  // The article's car example beside the model trained above.
  await demo('playground.load', 'vehicles');
  await noErrors();
  const out = join(ROOT, 'test-artifacts', 'demo.png');
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out as `${string}.png`, fullPage: true });
  // The README's copy: made when missing, refreshed with UPDATE_DEMO_PNG=1 (its timings differ on
  // every run, so rewriting it each time would leave the working tree dirty after `npm test`).
  const docs = join(ROOT, 'docs', 'demo.png');
  if (!existsSync(docs) || process.env.UPDATE_DEMO_PNG === '1') {
    mkdirSync(dirname(docs), { recursive: true });
    copyFileSync(out, docs);
  }
});
