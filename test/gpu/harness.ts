// Node side of the GPU tests: opens the one test page (test/gpu/page.html) for an area in the
// shared browser and calls the area's handlers by name (test/gpu/page/). Arguments and results
// cross in the wire codec; a call fails the test on any WebGPU error no error scope caught.
import { inject, expect, beforeAll, afterAll } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error plain ESM helper shared with the smoke run and the benchmark
import { openPage } from '../../scripts/gpu-session.mjs';
import { encode, decode } from '../util/wire';
import type { AdapterReport } from '../util/engine';
import type { CheckReport } from '../util/report';
import type { CheckSpec } from '../util/spec';

export type Area = 'library' | 'tfjs' | 'onnxruntime';

/** The page's adapter report, with the facts its area adds. */
export type PageInfo = { ok: boolean; error?: string } & Partial<AdapterReport> & Record<string, unknown>;

export interface GpuPage {
  readonly info: PageInfo;
  readonly page: Page;
  /** Calls the page's handler `name` with `args`. */
  call<T>(name: string, ...args: unknown[]): Promise<T>;
  /** Calls a handler that returns a CheckReport, and fails the test unless it is ok. */
  expectOk<T extends CheckReport>(name: string, ...args: unknown[]): Promise<T>;
  /** One oracle comparison in the page (test/util/check.ts), which must pass. */
  check(spec: CheckSpec): Promise<CheckReport>;
}

let browser: Browser | undefined;

/** The test page for `area`, opened before the file's tests and closed after them. */
export function useGpuPage(area: Area = 'library'): GpuPage {
  let page: Page | undefined;
  let info: PageInfo;
  let logs: string[] = [];
  beforeAll(async () => {
    browser ??= await puppeteer.connect({ browserWSEndpoint: inject('wsEndpoint'), protocolTimeout: 600_000 });
    ({ page, info, logs } = await openPage(browser, inject('gpuOrigin'), `/test/gpu/page.html?area=${area}`));
    // No adapter, or an area that failed to start, fails the file: it never skips.
    if (!info.ok) throw new Error(`no WebGPU test page (${area}): ${info.error}\n${logs.join('\n')}`);
  });
  afterAll(async () => {
    await page?.close();
  });
  const call = async <T>(name: string, ...args: unknown[]): Promise<T> => {
    const sent = encode(args);
    const reply = await page!.evaluate((n, a) => (window as unknown as { __call(n: string, a: string): Promise<string> }).__call(n, a), name, sent);
    const { value, errors } = decode<{ value: T; errors: string[] }>(reply);
    expect(errors, `WebGPU errors during ${name}:\n${logs.join('\n')}`).toEqual([]);
    return value;
  };
  const expectOk = async <T extends CheckReport>(name: string, ...args: unknown[]): Promise<T> => {
    const r = await call<T>(name, ...args);
    expect(r.ok, r.messages.join('\n')).toBe(true);
    return r;
  };
  return {
    get info() { return info; },
    get page() { return page!; },
    call,
    expectOk,
    check: (spec) => expectOk('check', spec),
  };
}
