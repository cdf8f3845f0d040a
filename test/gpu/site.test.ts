// The static site (`npm run build:site`) as a visitor gets it: built with its Vite config into a
// temporary folder, served statically on 127.0.0.1, and driven in the shared headless Chromium
// from the landing page to the demo and to the benchmark page, which runs one tiny shape through
// its Run button. What is checked is the flow and the oracle checks, never a time. The finished
// benchmark page is saved as test-artifacts/site-bench.png.
import { it, expect, beforeAll, afterAll, inject } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoReady } from '../../demo/api';
import type { BenchResults } from '../../bench/types';
import { WIDTH } from '../../bench/summary';
import { buildAndServe, type StaticBuild } from './static-build';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFIG = join(ROOT, 'site', 'vite.config.ts');
/** The fewest calls on one small shape: the library's two rows (the roofs always run). */
const RUN = '?shapes=256x100&impls=lib,lib-grad&iters=2&budget=0.1';

let site: StaticBuild;
let origin: string;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  site = await buildAndServe(CONFIG, 'site');
  origin = site.origin;
  browser = await puppeteer.connect({ browserWSEndpoint: inject('wsEndpoint'), protocolTimeout: 600_000 });
});

afterAll(async () => {
  await browser?.disconnect();
  await site?.close();
});

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(`[pageerror] ${url}: ${(e as Error).message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`[console] ${url}: ${m.text()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** The landing page's link to a page, resolved against the landing page's address. */
async function linkFromLanding(id: string): Promise<string> {
  const page = await open(origin);
  try {
    const { href, raw } = await page.$eval(`#${id}`, (a) => ({ href: (a as HTMLAnchorElement).href, raw: a.getAttribute('href') }));
    expect(raw, 'a relative link, so the folder works under any path').toMatch(/^\.\//);
    return href;
  } finally {
    await page.close();
  }
}

it('builds one folder: the landing page, the demo and the benchmark, every asset by a relative path', () => {
  for (const f of ['index.html', 'demo/index.html', 'bench/index.html']) expect(existsSync(join(site.dir, f)), f).toBe(true);
});

it('opens the landing page, which finds the adapter', async () => {
  const page = await open(origin);
  await page.waitForFunction(() => !/^Looking/.test(document.getElementById('gpu')!.textContent!), { timeout: 30_000 });
  expect(await page.$eval('#gpu', (e) => e.textContent)).toMatch(/^WebGPU adapter: /);
  await page.close();
});

it('follows the landing page to the demo, which loads and finds an adapter', async () => {
  // ?paused: the demo waits untrained rather than training in the background of the next test.
  const page = await open(`${await linkFromLanding('demo-link')}?paused`);
  await page.waitForFunction('window.__demoReady !== undefined', { timeout: 60_000 });
  const ready = (await page.evaluate(() => window.__demoReady)) as DemoReady;
  expect(ready.ok, ready.ok ? '' : ready.error).toBe(true);
  if (ready.ok) expect(ready.adapter.vendor || ready.adapter.architecture).toBeTruthy();
  await page.close();
});

it('follows the landing page to the benchmark, runs one tiny shape and shows the verdicts and the report', async () => {
  const page = await open(`${await linkFromLanding('bench-link')}${RUN}`);
  await page.waitForFunction('window.__ready !== undefined', { timeout: 60_000 });
  const ready = (await page.evaluate('window.__ready')) as { ok: boolean; error?: string };
  expect(ready.ok, ready.error).toBe(true);
  // The URL filled the form.
  expect(await page.$eval('#shapes', (e) => (e as HTMLInputElement).value)).toBe('256x100');
  expect(await page.$eval('#impls', (e) => (e as HTMLInputElement).value)).toBe('lib,lib-grad');
  await page.click('#run');
  await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 120_000 });
  const status = await page.$eval('#status', (e) => e.textContent);
  expect(await page.evaluate(() => document.body.dataset.state), `${status}\n${await page.$eval('#log', (e) => e.textContent)}`).toBe('done');
  expect(status).toBe('done');
  // Progress reached its end: 1 shape × (3 roofs + 2 library rows).
  expect(await page.$eval('#progress', (e) => [(e as HTMLProgressElement).value, (e as HTMLProgressElement).max])).toEqual([5, 5]);

  // The verdict summary, within 100 columns, then the report's tables and charts.
  const summary = (await page.$eval('#report pre.summary', (e) => e.textContent!)).split('\n');
  const line = summary.find((l) => l.startsWith('256×100'));
  expect(line, summary.join('\n')).toMatch(/\b(good|fair|poor)\b/);
  for (const l of summary) expect(l.length, l).toBeLessThanOrEqual(WIDTH);
  const report = await page.$eval('#report', (e) => ({ tables: e.querySelectorAll('table').length, charts: e.querySelectorAll('svg').length, text: e.textContent! }));
  expect(report.tables).toBe(2); // targets, results
  expect(report.charts).toBeGreaterThan(0);
  expect(report.text).toContain('lib-grad');

  // The JSON offered for download: this adapter's results, the library's checked against the oracle.
  const res = (await page.evaluate(async () => {
    const a = document.querySelector<HTMLAnchorElement>('#downloads a[download$=".json"]')!;
    return (await fetch(a.href)).json();
  })) as BenchResults;
  expect(res.adapter.vendor || res.adapter.architecture).toBeTruthy();
  expect(res.source?.commit, 'the commit the site was built from').toMatch(/^[0-9a-f]{7,}$/);
  const shape = res.shapes[0];
  expect([shape.rows, shape.classes]).toEqual([256, 100]);
  for (const id of ['lib', 'lib-grad', 'roof-read', 'roof-rw']) {
    const r = shape.impls.find((x) => x.id === id)!;
    expect(r.error, `${id}: ${r.error}`).toBeUndefined();
    expect(r.check?.ok, `${id}: ${r.check?.message}`).toBe(true);
    expect(r.wall!.n, id).toBeGreaterThanOrEqual(1);
  }
  expect(shape.impls.find((x) => x.id === 'lib-grad')!.check!.grad?.ok).toBe(true);
  expect(await page.$('#downloads a[download$=".html"]')).not.toBeNull();
  const shot = join(ROOT, 'test-artifacts', 'site-bench.png');
  mkdirSync(dirname(shot), { recursive: true });
  await page.setViewport({ width: 1240, height: 900, deviceScaleFactor: 1 });
  await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
  await page.close();
  expect(pageErrors).toEqual([]);
});
