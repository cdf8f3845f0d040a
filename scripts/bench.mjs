// `npm run bench` (also `npm start`): runs bench/index.html in headless Chromium (the page a person
// opens in the static site, `npm run build:site`), prints progress and a verdict summary within 100
// columns, and writes the results (JSON, with the commit measured) and the HTML report (the full
// table, charts) to bench/results/local/, which git ignores. `--save` publishes a run instead:
// bench/results/latest.json and latest.html, the committed record.
//
//   npm run bench -- --quick                       a smoke: fewer calls per implementation
//   npm run bench -- --shapes 1024x1000,256x32000 --impls lib,lib-grad,tfjs-webgpu --iters 50
//   npm run bench -- --table                       the full table on the terminal too
//   npm run bench -- --out /tmp/run.json           (the HTML goes beside it: /tmp/run.html)
//   npm run bench -- --render bench/results/latest.json   (summary and HTML again from saved results)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { COMMON_FLAGS, parseFlags, shownPath as shown } from './bench-args.mjs';
import { runInPage } from './gpu-session.mjs';
import { sourceInfo } from './source-info.mjs';
import { ROOT_DIR } from './paths.mjs';

const RESULTS = join(ROOT_DIR, 'bench', 'results');
const LOCAL = join(RESULTS, 'local');

const HELP = `usage: npm run bench -- [--quick] [--shapes RxV,...] [--impls id,...] [--iters N] [--budget SECONDS]
                       [--table] [--out FILE.json | --save] [--render FILE.json]
  --shapes  default 4096x10,16384x100,1024x1000,256x32000,64x50257,8x128256,2048x32000
  --impls   ids or prefixes: lib, lib-grad, lib-grad-new, tfjs-webgpu, tfjs-webgpu-sce,
            tfjs-webgpu-grad, tfjs-webgpu-sce-grad, tfjs-wasm, tfjs-cpu, js (tfjs: all TF.js; all);
            the roofs (roof-read, roof-rw and the roof-exp diagnostic) always run
  --iters   most warm calls per shape x implementation (default 30; --quick 5)
  --budget  seconds of warm calls per shape x implementation before fewer calls are made
            (default 2; --quick 0.6)
  --table   print the full table too (it is always in the HTML report and the JSON)
  --out     where the JSON goes (default bench/results/local/latest.json, ignored by git); the HTML
            report goes beside it
  --save    publish the run: bench/results/latest.json and latest.html (committed)
  --render FILE.json   measure nothing: print the summary and write the HTML report again from
            saved results (to bench/results/local/NAME.html; --save: beside FILE.json; --out
            X.json: X.html)`;

const htmlOf = (json) => `${json.replace(/\.json$/i, '')}.html`;

function parseArgs(argv) {
  const o = parseFlags(argv, { ...COMMON_FLAGS, '--save': ['save', 'flag'] });
  if (o.help) {
    console.log(HELP);
    process.exit(0);
  }
  if (o.save && o.out) throw new Error('--save and --out both say where the results go: give one');
  const { out, save, table } = o;
  delete o.out;
  delete o.save;
  delete o.table;
  let json = out ?? join(save ? RESULTS : LOCAL, 'latest.json');
  if (o.render) json = out ?? (save ? o.render : join(LOCAL, basename(o.render)));
  return { options: o, json, html: htmlOf(json), table };
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

/** The summary (and with --table the full table) on the terminal. */
function print(r) {
  console.log('');
  for (const line of r.summary) console.log(line);
  if (args.table) console.log(`\n${r.markdown}`);
  console.log('');
}

/** --render: the summary and the HTML report again from saved results; nothing is measured. */
async function render(page, file) {
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const r = await page.evaluate((res) => window.__bench.render(res), saved);
  mkdirSync(dirname(args.html), { recursive: true });
  writeFileSync(args.html, r.html);
  print(r);
  console.log(`report (full table, charts): ${shown(args.html)}`);
}

/** The run: started in the page, progress streamed here, results written; returns the exit code. */
async function measure(page, logs) {
  let code = 0;
  await page.exposeFunction('__benchProgress', (line) => console.log(`${stamp()} ${line}`));
  // Started in the page and polled: a whole run can outlast one DevTools protocol call.
  await page.evaluate((o) => {
    window.__benchState = { done: false };
    window.__bench.run(o).then(
      (r) => { window.__benchState = { done: true, json: JSON.stringify(r.results, null, 2), summary: r.summary, markdown: r.markdown, html: r.html, failures: r.failures }; },
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
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, state.json + '\n');
  writeFileSync(args.html, state.html);
  print(state);
  console.log(`results: ${shown(args.json)}`);
  console.log(`report (full table, charts): ${shown(args.html)}${args.table ? '' : '; --table prints the table here'}`);
  console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
  // The library's and the roofs' results must be right (bench/failures.ts).
  if (state.failures.length) {
    console.error(`FAILED: ${state.failures.join('\n  ')}`);
    code = 1;
  }
  return code;
}
