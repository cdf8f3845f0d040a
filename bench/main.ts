// The benchmark page: a form and a Run button for a person with a browser (in the static site, or
// under the dev server), and window.__bench for scripts/bench.mjs, which runs the same code in
// headless Chromium. URL parameters fill the form: ?shapes=256x100&impls=lib,lib-grad&iters=2&budget=0.1&quick
import { WebGPULoss } from '../src/index';
import { DEFAULT_SHAPES, formatShapes, makeConfig, type RawOptions } from './config';
import { DEFAULT_IMPLS, IMPLS } from './impls/index';
import { tfjsVersion, tfjsWebgpuAdapter, wasmThreads } from './impls/tfjs';
import { failures } from './failures';
import { runBench, type BenchHost } from './runner';
import { REPORT_CSS, renderHtmlReport, renderMarkdown, renderReportBody } from './report';
import { summary } from './summary';
import type { BenchResults } from './types';

// The commit the static site was built from (site/vite.config.ts); absent under the dev server,
// where scripts/bench.mjs passes it in the options.
declare const __BENCH_SOURCE__: BenchResults['source'] | null | undefined;

interface Rendered { markdown: string; html: string; summary: string[] }

declare global {
  interface Window {
    __bench: {
      run(o: RawOptions): Promise<Rendered & { results: BenchResults; failures: string[] }>;
      /** Renders saved results again (scripts/bench.mjs --render). */
      render(r: BenchResults): Rendered;
    };
    /** Set by scripts/bench.mjs (puppeteer's exposeFunction): progress lines to the terminal. */
    __benchProgress?: (line: string) => Promise<void>;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
document.head.append(Object.assign(document.createElement('style'), { textContent: REPORT_CSS }));
const log = $<HTMLPreElement>('log');
const bar = $<HTMLProgressElement>('progress');
/** idle, running, done or failed: on <body data-state> for whoever drives the page. */
const setState = (s: string, text: string) => {
  document.body.dataset.state = s;
  $('status').textContent = text;
};

function progress(line: string): void {
  log.textContent += `${line}\n`;
  log.scrollTop = log.scrollHeight;
  void window.__benchProgress?.(line);
}

function step(done: number, total: number): void {
  bar.max = total;
  bar.value = done;
  $('step').textContent = `${done} of ${total} shape × implementation runs`;
}

const host: BenchHost = {
  impls: IMPLS,
  createLoss: () => WebGPULoss.create(),
  userAgent: navigator.userAgent,
  peers: () => ({ tfjs: tfjsVersion(), tfjsWebgpuAdapter: tfjsWebgpuAdapter() || undefined, tfjsWasmThreads: wasmThreads() }),
  // Browsers coarsen timestamps (100 µs in Chrome) unless a developer flag is set: wall time only.
  timestamps: false,
  method: ['vs TF.js WebGPU: the faster TF.js WebGPU formulation\'s wall median (forward, or valueAndGrad for fused) / this wall median.'],
};

function show(results: BenchResults): Rendered {
  $('report').innerHTML = renderReportBody(results);
  const html = renderHtmlReport(results);
  const name = `webgpu-loss-bench-${results.date.slice(0, 16).replace(/:/g, '-')}`;
  const link = (file: string, text: string, type: string) =>
    `<a download="${file}" href="${URL.createObjectURL(new Blob([text], { type }))}">${file}</a>`;
  $('downloads').innerHTML = `Download: ${link(`${name}.json`, JSON.stringify(results, null, 2), 'application/json')} · ${link(`${name}.html`, html, 'text/html')}`;
  return { markdown: renderMarkdown(results), html, summary: summary(results) };
}

async function run(o: RawOptions) {
  const results = await runBench(makeConfig(o, DEFAULT_IMPLS), host, progress, step);
  const source = o.source ?? (typeof __BENCH_SOURCE__ !== 'undefined' ? __BENCH_SOURCE__ : undefined);
  if (source) results.source = source;
  return { ...show(results), results, failures: failures(results) };
}

window.__bench = { run, render: show };

const input = (id: string) => $<HTMLInputElement>(id);
const params = new URLSearchParams(location.search);
input('shapes').value = params.get('shapes') ?? formatShapes(DEFAULT_SHAPES);
input('impls').value = params.get('impls') ?? DEFAULT_IMPLS.join(',');
input('iters').value = params.get('iters') ?? '';
input('iters').placeholder = '30 (quick: 5)';
input('budget').value = params.get('budget') ?? '';
input('budget').placeholder = '2 (quick: 0.6)';
input('quick').checked = params.has('quick');
$<HTMLButtonElement>('run').addEventListener('click', async () => {
  const btn = $<HTMLButtonElement>('run');
  btn.disabled = true;
  log.textContent = '';
  $('report').innerHTML = '';
  $('downloads').innerHTML = '';
  setState('running', 'running…');
  try {
    const budget = Number(input('budget').value);
    const r = await run({
      shapes: input('shapes').value,
      impls: input('impls').value,
      iters: Number(input('iters').value) || undefined,
      budgetMs: budget > 0 ? budget * 1000 : undefined,
      quick: input('quick').checked,
    });
    setState('done', r.failures.length ? `done, but this library or a roof failed: ${r.failures.join('; ')}` : 'done');
  } catch (e) {
    progress(`error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    setState('failed', 'failed (see the log)');
  } finally {
    btn.disabled = false;
  }
});

// The report scripts/gpu-session.mjs waits for (smaller than the test page's).
(window as unknown as { __ready: Promise<{ ok: boolean; adapter?: string; error?: string }> }).__ready = (async () => {
  try {
    if (!navigator.gpu) {
      throw new Error('navigator.gpu is missing: WebGPU is off in this browser, or the page is not in a secure context (open it over https or from localhost, e.g. `npx vite preview --outDir dist-site`)');
    }
    const a = await navigator.gpu.requestAdapter();
    if (!a) throw new Error('no WebGPU adapter');
    $<HTMLButtonElement>('run').disabled = false;
    setState('idle', `adapter: ${a.info.vendor} ${a.info.architecture}${a.info.description ? ` (${a.info.description})` : ''}`);
    return { ok: true, adapter: `${a.info.vendor} / ${a.info.architecture} ${a.info.description}` };
  } catch (e) {
    setState('failed', String(e));
    return { ok: false, error: String(e) };
  }
})();
