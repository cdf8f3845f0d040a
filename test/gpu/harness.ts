// Node side of the GPU tests: connects to the shared browser, opens the test page, and runs
// named harness calls in it. Every call fails the test on any WebGPU error seen on the device.
import { inject, expect } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { AdapterReport, CheckSpec, CheckReport } from './page-types';

export interface GpuPage {
  page: Page;
  info: AdapterReport;
  /** Runs one oracle comparison in the page and returns its report (inputs are made in the page). */
  check(spec: CheckSpec): Promise<CheckReport>;
  /** Calls `window.__h[name](...args)` in the page. */
  call<T>(name: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

let browser: Browser | undefined;

/** Opens a test page (default: the oracle-comparison page) and waits for its adapter report. */
export async function openGpuPage(pagePath = '/test/gpu/index.html'): Promise<GpuPage> {
  browser ??= await puppeteer.connect({ browserWSEndpoint: inject('wsEndpoint'), protocolTimeout: 600_000 });
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${(e as Error).message}`));
  await page.goto(`${inject('gpuOrigin')}${pagePath}`, { waitUntil: 'load' });
  await page.waitForFunction('window.__ready !== undefined', { timeout: 120_000 });
  const info = (await page.evaluate('window.__ready')) as AdapterReport;
  if (!info.ok) throw new Error(`no WebGPU adapter in headless Chromium: ${info.error}\n${logs.join('\n')}`);
  const call = async <T>(name: string, ...args: unknown[]): Promise<T> => {
    const res = (await page.evaluate(
      (n: string, a: unknown[]) => (window as unknown as { __h: Record<string, (...x: unknown[]) => unknown> }).__h[n](...a),
      name,
      args,
    )) as T;
    const errors = (await page.evaluate('window.__h.takeErrors()')) as string[];
    expect(errors, `WebGPU errors during ${name}:\n${logs.join('\n')}`).toEqual([]);
    return res;
  };
  return {
    page,
    info,
    call,
    check: (spec) => call<CheckReport>('check', spec),
    close: () => page.close(),
  };
}
