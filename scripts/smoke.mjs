// Smoke run: the adapter headless Chromium gives, and one GPU result next to the oracle.
import { startServer, launchBrowser, openPage } from './gpu-session.mjs';

const { server, origin } = await startServer();
const { browser, close } = await launchBrowser();
let code = 0;
try {
  const { page, info, logs } = await openPage(browser, origin, '/test/gpu/index.html');
  if (!info.ok) throw new Error(`no WebGPU adapter: ${info.error}\n${logs.join('\n')}`);
  console.log(`adapter: ${info.vendor} / ${info.architecture} ${info.description ?? ''} (fallback: ${info.isFallback}, subgroups: ${info.subgroups} (row reductions use size ${info.subgroupSize || 'none: workgroup tree'}), timestamp-query: ${info.timestampQuery})`);
  const r = await page.evaluate(() => window.__h.smoke());
  console.log(`softmax([1, 2, 3, 4]) on the GPU: ${r.gpu.map((v) => v.toFixed(7)).join(', ')}`);
  console.log(`float64 oracle:                  ${r.oracle.map((v) => v.toFixed(7)).join(', ')}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  code = 1;
} finally {
  await close();
  await server.close();
}
process.exit(code);
