// The demo page: sets up one WebGPU device, shares it between webgpu-loss and the demo's own MLP
// kernels, and wires the three parts. Exposes window.__demo for the tests.
import { WebGPULoss } from '../src/index';
import { PRESETS } from './presets';
import { Playground } from './playground';
import { Trainer } from './trainer';
import { renderAdapter, summarize } from './adapter';
import type { DemoApi } from './api';
import './style.css';

async function main(): Promise<void> {
  const errors: string[] = [];
  const record = (e: unknown) => {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    errors.push(msg);
    console.error(msg);
  };
  if (!navigator.gpu) throw new Error('WebGPU is not available in this browser (navigator.gpu is missing; it needs a secure context: https or localhost).');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('No WebGPU adapter was found.');
  const wl = await WebGPULoss.create({ adapter });
  wl.device.addEventListener('uncapturederror', (ev) => record((ev as GPUUncapturedErrorEvent).error.message));
  void wl.device.lost.then((info) => {
    if (info.reason !== 'destroyed') record(`device lost: ${info.message}`);
  });
  const summary = summarize(adapter, wl);
  renderAdapter(document.getElementById('adapter-info')!, summary);
  document.getElementById('adapter-chip')!.textContent = `${summary.vendor} · ${summary.architecture}${summary.fallback ? ' (CPU)' : ''}`;

  const playground = new Playground(wl, record);
  const trainer = new Trainer(wl, record);
  const api: DemoApi = {
    adapter: summary,
    errors,
    presets: PRESETS.map((p) => p.id),
    stats: () => wl.stats(),
    playground: {
      load: (id) => playground.load(id),
      set: (which, i, v) => {
        playground.setValue(which, i, v);
        return playground.settled();
      },
      target: (c, eps) => {
        playground.setTarget(c, eps);
        return playground.settled();
      },
      state: () => playground.state(),
      settled: () => playground.settled(),
    },
    trainer: {
      configure: (c) => trainer.configure(c),
      runSteps: (n, perFrame) => trainer.runSteps(n, perFrame),
      start: () => trainer.start(),
      pause: () => trainer.pause(),
      state: () => trainer.state(),
    },
  };
  window.__demo = api;
  await playground.load('vehicles');
  await trainer.configure();
  // ?paused leaves the model untrained until Start (the tests drive it step by step).
  if (!new URLSearchParams(location.search).has('paused')) trainer.start();
  window.__demoReady = { ok: true, adapter: summary };
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  const box = document.getElementById('fatal')!;
  box.hidden = false;
  box.textContent = msg;
  window.__demoReady = { ok: false, error: msg };
});
