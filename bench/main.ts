// The benchmark page: a form and a Run button for a person with a browser, and window.__bench for
// scripts/bench.mjs, which runs the same code in headless Chromium.
import { WebGPULoss } from '../src/index';
import { DEFAULT_SHAPES, formatShapes, makeConfig, type RawOptions } from './config';
import { DEFAULT_IMPLS, IMPLS } from './impls/index';
import { tfjsVersion, tfjsWebgpuAdapter, wasmThreads } from './impls/tfjs';
import { failures } from './failures';
import { runBench, type BenchHost } from './runner';
import { renderHtmlReport, renderMarkdown, renderReportBody } from './report';
import type { BenchResults } from './types';

declare global {
  interface Window {
    __bench: {
      run(o: RawOptions): Promise<{ results: BenchResults; markdown: string; html: string; failures: string[] }>;
      /** Renders saved results again (scripts/bench.mjs --render). */
      render(r: BenchResults): { markdown: string; html: string };
    };
    /** Set by scripts/bench.mjs (puppeteer's exposeFunction): progress lines to the terminal. */
    __benchProgress?: (line: string) => Promise<void>;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $<HTMLPreElement>('log');

function progress(line: string): void {
  log.textContent += `${line}\n`;
  log.scrollTop = log.scrollHeight;
  void window.__benchProgress?.(line);
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

async function run(o: RawOptions) {
  const results = await runBench(makeConfig(o, DEFAULT_IMPLS), host, progress);
  if (o.source) results.source = o.source;
  const markdown = renderMarkdown(results);
  const html = renderHtmlReport(results);
  $('report').innerHTML = renderReportBody(results);
  const link = (name: string, text: string, type: string) =>
    `<a download="${name}" href="${URL.createObjectURL(new Blob([text], { type }))}">${name}</a>`;
  $('downloads').innerHTML = `Download: ${link('latest.json', JSON.stringify(results, null, 2), 'application/json')} · ${link('latest.html', html, 'text/html')}`;
  return { results, markdown, html, failures: failures(results) };
}

window.__bench = {
  run,
  render: (r) => {
    $('report').innerHTML = renderReportBody(r);
    return { markdown: renderMarkdown(r), html: renderHtmlReport(r) };
  },
};

$<HTMLInputElement>('shapes').value = formatShapes(DEFAULT_SHAPES);
$<HTMLInputElement>('impls').value = DEFAULT_IMPLS.join(',');
$<HTMLInputElement>('iters').placeholder = '30 (quick: 5)';
$<HTMLButtonElement>('run').addEventListener('click', async () => {
  const btn = $<HTMLButtonElement>('run');
  btn.disabled = true;
  log.textContent = '';
  $('status').textContent = 'running…';
  try {
    await run({
      shapes: $<HTMLInputElement>('shapes').value,
      impls: $<HTMLInputElement>('impls').value,
      iters: Number($<HTMLInputElement>('iters').value) || undefined,
      quick: $<HTMLInputElement>('quick').checked,
    });
    $('status').textContent = 'done';
  } catch (e) {
    progress(`error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    $('status').textContent = 'failed';
  } finally {
    btn.disabled = false;
  }
});

// (window.__ready's type is declared by test/gpu/page.ts; this page's report is smaller.)
(window as unknown as { __ready: Promise<{ ok: boolean; adapter?: string; error?: string }> }).__ready = (async () => {
  try {
    if (!navigator.gpu) throw new Error('navigator.gpu is missing (WebGPU off, or not a secure context)');
    const a = await navigator.gpu.requestAdapter();
    if (!a) throw new Error('no WebGPU adapter');
    $<HTMLButtonElement>('run').disabled = false;
    $('status').textContent = `adapter: ${a.info.vendor} ${a.info.architecture}`;
    return { ok: true, adapter: `${a.info.vendor} / ${a.info.architecture} ${a.info.description}` };
  } catch (e) {
    $('status').textContent = String(e);
    return { ok: false, error: String(e) };
  }
})();
