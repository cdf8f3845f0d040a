// `node scripts/bench-linear.mjs [--shapes 1024x256x8192,...] [--impls fused,fused-frozen,fused-filter,unfused,tfjs-webgpu,jsd-fused,jsd-frozen,jsd-unfused] [--iters N] [--budget S] [--peak P] [--filter-eps E] [--out FILE]`
// --peak P: peaked softmaxes (each row's label logit ~P above the rest); --filter-eps: fused-filter's gradFilter ε (default 2^-12).
// Fused linear cross-entropy (loss + dH + dW) against the unfused path and TF.js WebGPU, in
// headless Chromium (bench/linear.html). Prints a table; writes JSON (default bench/results/linear.json).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runInPage } from './gpu-session.mjs';
import { ROOT_DIR } from './paths.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const shapes = opt('--shapes', '1024x256x8192,1024x256x32768').split(',').map((s) => {
  const [n, d, v] = s.split('x').map(Number);
  return { n, d, v };
});
const impls = opt('--impls', 'fused,unfused,tfjs-webgpu').split(',');
const iters = Number(opt('--iters', '5'));
const budgetMs = Number(opt('--budget', '20')) * 1000;
const peak = opt('--peak', undefined);
const filterEps = opt('--filter-eps', undefined);
const runOpts = { ...(peak ? { peak: Number(peak) } : {}), ...(filterEps ? { filterEps: Number(filterEps) } : {}) };
const out = resolve(opt('--out', join(ROOT_DIR, 'bench', 'results', 'linear.json')));

const MB = (b) => (b / 1e6).toFixed(1);
const code = await runInPage('/bench/linear.html', async ({ page, info }) => {
  console.log(`adapter: ${info.adapter}`);
  const all = [];
  for (const shape of shapes) {
    const t0 = Date.now();
    const r = await page.evaluate(([s, i, n, b, o]) => window.__bench(s, i, n, b, o), [shape, impls, iters, budgetMs, runOpts]);
    all.push(r);
    const f = r.results.find((x) => x.impl === 'fused');
    const u = r.results.find((x) => x.impl === 'unfused');
    console.log(`\nN=${shape.n} D=${shape.d} V=${shape.v} (logits ${MB(r.logitsBytes)} MB; ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    console.log('| impl | median ms (p10–p90) | first ms | n | loss | scratch MB | scratch+grads MB | largest buffer MB |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of r.results) {
      console.log(`| ${x.impl} | ${x.medianMs.toFixed(0)} (${x.p10Ms.toFixed(0)}–${x.p90Ms.toFixed(0)}) | ${x.firstMs.toFixed(0)} | ${x.iters} | ${x.loss.toFixed(5)} | ${x.scratchBytes !== undefined ? MB(x.scratchBytes) : '–'} | ${x.totalBytes !== undefined ? MB(x.totalBytes) : '–'} | ${x.largestBuffer !== undefined ? MB(x.largestBuffer) : '–'} |`);
    }
    if (f && u) {
      console.log(`fused / unfused time: ${(f.medianMs / u.medianMs).toFixed(2)}x; unfused / fused scratch: ${(u.scratchBytes / f.scratchBytes).toFixed(1)}x, with gradients: ${(u.totalBytes / f.totalBytes).toFixed(2)}x`);
      console.log(`fused vs unfused: ${Object.entries(r.agreement).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    }
    const fz = r.results.find((x) => x.impl === 'fused-frozen');
    if (f && fz) console.log(`frozen head / fused: time ${(fz.medianMs / f.medianMs).toFixed(2)}x, scratch+grads ${(fz.totalBytes / f.totalBytes).toFixed(2)}x (${MB(f.totalBytes - fz.totalBytes)} MB less)`);
    const ff = r.results.find((x) => x.impl === 'fused-filter');
    if (f && ff) console.log(`filtered / fused time: ${(ff.medianMs / f.medianMs).toFixed(2)}x; ${ff.skippedTiles} of ${ff.tiles} tiles skipped; filtered vs exact: gradHidden ${r.agreement.gradHiddenFiltered?.toExponential(1)}, gradWeight ${r.agreement.gradWeightFiltered?.toExponential(1)}`);
    const jf = r.results.find((x) => x.impl === 'jsd-fused'), ju = r.results.find((x) => x.impl === 'jsd-unfused');
    if (jf && ju) console.log(`jsd-fused / jsd-unfused time: ${(jf.medianMs / ju.medianMs).toFixed(2)}x`);
    const t = r.results.find((x) => x.impl === 'tfjs-webgpu');
    if (f && t) console.log(`TF.js WebGPU / fused time: ${(t.medianMs / f.medianMs).toFixed(2)}x`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), adapter: info.adapter, shapes: all }, null, 2));
  console.log(`\nwrote ${out}`);
});
process.exit(code);
