// Smoke run: the adapter headless Chromium gives, and one GPU result next to the oracle.
import { runInPage } from './gpu-session.mjs';

process.exit(await runInPage('/test/gpu/page.html', async ({ page, info }) => {
  console.log(`adapter: ${info.vendor} / ${info.architecture} ${info.description ?? ''} (fallback: ${info.isFallback}, subgroups: ${info.subgroups} (row reductions use size ${info.subgroupSize || 'none: workgroup tree'}), timestamp-query: ${info.timestampQuery})`);
  // The test page's handler call: arguments and result in its JSON wire form (plain numbers here).
  const r = JSON.parse(await page.evaluate(() => window.__call('smoke', '[]'))).value;
  console.log(`softmax([1, 2, 3, 4]) on the GPU: ${r.gpu.map((v) => v.toFixed(7)).join(', ')}`);
  console.log(`float64 oracle:                  ${r.oracle.map((v) => v.toFixed(7)).join(', ')}`);
}));
