// One Vite server on 127.0.0.1 (WebGPU needs a secure context) plus one headless Chromium.
// Used by the GPU tests' global setup, the smoke run and the benchmark.
import { createServer } from 'vite';
import puppeteer from 'puppeteer-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium, CHROMIUM_ARGS } from './chromium.mjs';
import { ROOT_DIR as ROOT } from './paths.mjs';

export async function startServer() {
  const server = await createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    logLevel: 'error',
  });
  await server.listen();
  const addr = server.httpServer?.address();
  if (!addr || typeof addr === 'string') throw new Error('vite server has no port');
  return { server, origin: `http://127.0.0.1:${addr.port}` };
}

export async function launchBrowser() {
  const executablePath = ensureChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'webgpu-loss-chrome-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, `--user-data-dir=${userDataDir}`],
    protocolTimeout: 600_000,
  });
  const close = async () => {
    await browser.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { browser, close };
}

/** Opens `path` and waits until the page sets `window.__ready` (a promise of adapter info). */
export async function openPage(browser, origin, path) {
  const page = await browser.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(`${origin}${path}`, { waitUntil: 'load' });
  await page.waitForFunction('window.__ready !== undefined', { timeout: 120_000 });
  const info = await page.evaluate(() => window.__ready);
  return { page, info, logs };
}

/**
 * The whole life of a command-line page run: server and browser up, `path` opened with a real
 * adapter, `fn({ page, info, logs })` run, everything closed. Resolves to the exit code: fn's
 * own (a number), else 0; 1 with the message printed if anything threw.
 */
export async function runInPage(path, fn) {
  const { server, origin } = await startServer();
  const { browser, close } = await launchBrowser();
  try {
    const opened = await openPage(browser, origin, path);
    if (!opened.info.ok) throw new Error(`no WebGPU adapter: ${opened.info.error}\n${opened.logs.join('\n')}`);
    const code = await fn(opened);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    await close();
    await server.close();
  }
}
