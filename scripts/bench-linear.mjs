// `node scripts/bench-linear.mjs [--shapes 256x64x4096,...] [--impls fused,fused-frozen,unfused,unfused-frozen,tfjs-webgpu,tfjs-webgpu-frozen,fused-forward,fused-filter,jsd-fused,jsd-frozen,jsd-unfused] [--iters N] [--budget S] [--peak P] [--filter-eps E] [--out FILE]`
// --peak P: peaked softmaxes (each row's label logit ~P above the rest); --filter-eps: fused-filter's gradFilter ε (default 2^-12).
// Fused linear cross-entropy (loss + dH + dW, and frozen-head: loss + dH) against the unfused path
// and TF.js WebGPU, in headless Chromium (bench/linear.html): per shape each row's median time and
// peak GPU memory beyond the inputs, and the ratios. Writes JSON (default bench/results/local/linear.json, git-ignored).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runInPage } from './gpu-session.mjs';
import { ROOT_DIR } from './paths.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
// The defaults finish in a few minutes on SwiftShader (a CPU adapter); D = 256, N = 1024 takes minutes per call
// there, and a shape's rows must finish within one page call (600 s, scripts/gpu-session.mjs).
const shapes = opt('--shapes', '256x64x4096,512x64x8192').split(',').map((s) => {
  const [n, d, v] = s.split('x').map(Number);
  return { n, d, v };
});
const impls = opt('--impls', 'fused,fused-frozen,unfused,unfused-frozen,tfjs-webgpu,tfjs-webgpu-frozen').split(',');
const iters = Number(opt('--iters', '3'));
const budgetMs = Number(opt('--budget', '10')) * 1000;
const peak = opt('--peak', undefined);
const filterEps = opt('--filter-eps', undefined);
const runOpts = { ...(peak ? { peak: Number(peak) } : {}), ...(filterEps ? { filterEps: Number(filterEps) } : {}) };
// By default into the git-ignored local folder, so a run never replaces a committed result.
const out = resolve(opt('--out', join(ROOT_DIR, 'bench', 'results', 'local', 'linear.json')));

const MB = (b) => (b / 1e6).toFixed(2);
const code = await runInPage('/bench/linear.html', async ({ page, info }) => {
  console.log(`adapter: ${info.adapter}`);
  const all = [];
  for (const shape of shapes) {
    const t0 = Date.now();
    const r = await page.evaluate(([s, i, n, b, o]) => window.__bench(s, i, n, b, o), [shape, impls, iters, budgetMs, runOpts]);
    all.push(r);
    // Written after each shape, so the shapes done survive a later one that fails.
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), adapter: info.adapter, shapes: all }, null, 2));
    const row = (impl) => r.results.find((x) => x.impl === impl);
    console.log(`\nN=${shape.n} D=${shape.d} V=${shape.v} (logits ${MB(r.logitsBytes)} MB; gradients ${MB(r.gradientBytes.trainable)} MB, frozen ${MB(r.gradientBytes.frozen)} MB; ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    console.log('| impl | median ms (p10–p90) | first ms | n | loss | peak MB | peak warm MB | largest buffer MB |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of r.results) {
      console.log(`| ${x.impl} | ${x.medianMs.toFixed(0)} (${x.p10Ms.toFixed(0)}–${x.p90Ms.toFixed(0)}) | ${x.firstMs.toFixed(0)} | ${x.iters} | ${x.loss.toFixed(5)} | ${MB(x.peakBytes)} | ${MB(x.peakBytesWarm)} | ${MB(x.largestBuffer)} |`);
    }
    for (const x of r.results.filter((x) => x.tfMemory)) {
      console.log(`${x.impl}, first call on a fresh backend: tf.memory() allocated +${MB(x.tfMemory.allocatedGrowth)} MB (the hook: ${MB(x.liveBytesAfter)} MB left in its pool), in use at most +${MB(x.tfMemory.inUsePeak)} MB`);
    }
    const fmt = (q) => (q === undefined ? '–' : q.toFixed(2));
    for (const kind of ['trainable', 'frozen']) {
      const k = r.ratios[kind];
      const parts = [['unfused', k.vsUnfused], ['TF.js WebGPU', k.vsTfjs]].filter(([, q]) => q).map(([name, q]) => `vs ${name}: ${fmt(q.time)}× the time, ${fmt(q.peak)}× less peak memory`);
      if (parts.length) console.log(`fused ${kind}: ${parts.join('; ')}`);
    }
    if (r.agreement.loss !== undefined) console.log(`fused vs unfused: ${['loss', 'gradHidden', 'gradWeight'].map((k) => `${k} ${r.agreement[k].toExponential(1)}`).join(', ')}`);
    const f = row('fused');
    const fz = row('fused-frozen');
    if (f && fz) console.log(`frozen head / trainable (fused): time ${(fz.medianMs / f.medianMs).toFixed(2)}x, peak ${(fz.peakBytes / f.peakBytes).toFixed(2)}x`);
    const fw = row('fused-forward');
    if (f && fw) console.log(`fused forward (loss only) / fused with both gradients: time ${(fw.medianMs / f.medianMs).toFixed(2)}x`);
    const ff = row('fused-filter');
    if (f && ff) console.log(`filtered / fused time: ${(ff.medianMs / f.medianMs).toFixed(2)}x; ${ff.skippedTiles} of ${ff.tiles} tiles skipped; filtered vs exact: gradHidden ${r.agreement.gradHiddenFiltered?.toExponential(1)}, gradWeight ${r.agreement.gradWeightFiltered?.toExponential(1)}`);
    const jf = row('jsd-fused');
    const ju = row('jsd-unfused');
    if (jf && ju) console.log(`linearJsDivergence fused / unfused: time ${(jf.medianMs / ju.medianMs).toFixed(2)}x, ${(ju.peakBytes / jf.peakBytes).toFixed(1)}x less peak memory`);
  }
  console.log(`\nwrote ${out}`);
});
process.exit(code);
