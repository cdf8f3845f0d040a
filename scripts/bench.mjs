// `npm run bench`: runs bench/index.html in headless Chromium (the same page a person can open with
// `npx vite` and a GPU), prints progress and a Markdown table, and writes bench/results/latest.json
// (machine-diffable) and latest.html (self-contained report with charts).
//
//   npm run bench -- --quick                       a smoke: fewer calls per implementation
//   npm run bench -- --shapes 1024x1000,256x32000 --impls lib,lib-grad,tfjs-webgpu --iters 50
//   npm run bench -- --out /tmp/run.json           (the HTML goes beside it: /tmp/run.html)
//   npm run bench -- --render bench/results/latest.json   (table and HTML again from saved results)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COMMON_FLAGS, parseFlags } from './bench-args.mjs';
import { runInPage } from './gpu-session.mjs';
import { sourceInfo } from './source-info.mjs';
import { ROOT_DIR } from './paths.mjs';

const HELP = `usage: npm run bench -- [--quick] [--shapes RxV,...] [--impls id,...] [--iters N] [--budget SECONDS] [--out FILE.json]
  --shapes  default 4096x10,16384x100,1024x1000,256x32000,64x50257,8x128256,2048x32000
  --impls   ids or prefixes: lib, lib-grad, lib-grad-new, tfjs-webgpu, tfjs-webgpu-sce, tfjs-webgpu-grad,
            tfjs-webgpu-sce-grad, tfjs-wasm, tfjs-cpu, js, (tfjs = all TF.js, all); the roofs
            (roof-read, roof-rw and the roof-exp diagnostic) always run
  --iters   most warm calls per shape x implementation (default 30; --quick 5)
  --budget  seconds of warm calls per shape x implementation before fewer calls are made (default 2; --quick 0.6)
  --out     where the JSON goes (default bench/results/latest.json); the HTML report goes beside it
  --render FILE.json   measure nothing: print the table and write FILE.html from saved results`;

function parseArgs(argv) {
  const o = parseFlags(argv, COMMON_FLAGS);
  if (o.help) {
    console.log(HELP);
    process.exit(0);
  }
  const out = o.out ?? join(ROOT_DIR, 'bench', 'results', 'latest.json');
  delete o.out;
  return { options: o, out };
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${e.message}\n${HELP}`);
  process.exit(2);
}

args.options.source = sourceInfo();

const t0 = Date.now();
const stamp = () => {
  const s = Math.floor((Date.now() - t0) / 1000);
  return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let crashed = null;
const code = await runInPage('/bench/index.html', async ({ page, logs }) => {
  page.on('error', (e) => { crashed = e; });
  if (args.options.render) return render(page, args.options.render);
  return measure(page, logs);
});
process.exit(code);

/** --render: the table and the HTML report again from saved results; nothing is measured. */
async function render(page, file) {
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const r = await page.evaluate((res) => window.__bench.render(res), saved);
  const html = file.replace(/\.json$/i, '') + '.html';
  writeFileSync(html, r.html);
  console.log(r.markdown);
  console.log(`\nwrote ${html}`);
}

/** The run: started in the page, progress streamed here, results written; returns the exit code. */
async function measure(page, logs) {
  let code = 0;
  await page.exposeFunction('__benchProgress', (line) => console.log(`${stamp()} ${line}`));
  // Started in the page and polled: a whole run can outlast one DevTools protocol call.
  await page.evaluate((o) => {
    window.__benchState = { done: false };
    window.__bench.run(o).then(
      (r) => { window.__benchState = { done: true, json: JSON.stringify(r.results, null, 2), markdown: r.markdown, html: r.html, failures: r.failures }; },
      (e) => { window.__benchState = { done: true, error: e instanceof Error ? e.stack ?? e.message : String(e) }; },
    );
  }, args.options);
  for (;;) {
    if (crashed) throw new Error(`the page crashed: ${crashed.message ?? crashed}\n${logs.slice(-20).join('\n')}`);
    if (await page.evaluate(() => window.__benchState.done)) break;
    await sleep(500);
  }
  const state = await page.evaluate(() => window.__benchState);
  if (state.error) throw new Error(`the benchmark failed in the page: ${state.error}\n${logs.slice(-20).join('\n')}`);
  const html = args.out.replace(/\.json$/i, '') + '.html';
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, state.json + '\n');
  writeFileSync(html, state.html);
  console.log('');
  console.log(state.markdown);
  console.log('');
  console.log(`wrote ${args.out} and ${html} (${((Date.now() - t0) / 1000).toFixed(0)} s in all)`);
  // The library's and the roofs' results must be right (bench/failures.ts).
  if (state.failures.length) {
    console.error(`FAILED: ${state.failures.join('\n  ')}`);
    code = 1;
  }
  return code;
}
