// `npm run bench:gpu` (and the bundle's run.sh): the benchmark in Node on Dawn. Prints progress and
// a summary of at most 100 columns, writes the JSON and the HTML report (bench/report.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
// @ts-expect-error plain ESM helper shared with scripts/bench.mjs
import { shownPath } from '../../scripts/bench-args.mjs';
import { formatShapes, makeConfig } from '../config';
import { failures } from '../failures';
import { NODE_DEFAULT_IMPLS } from '../impls/node';
import { renderHtmlReport, renderMarkdown } from '../report';
import { runBench } from '../runner';
import type { BenchResults } from '../types';
import { HELP, parseNodeArgs, type NodeOptions } from './args';
import { nodeHost } from './host';
import { mergeReference, type TorchReference } from './reference';
import { summary } from '../summary';

// Filled in when the benchmark is built (scripts/build-bench-gpu.mjs): the commit it measures.
declare const __BENCH_SOURCE__: BenchResults['source'] | undefined;

const t0 = Date.now();
const stamp = () => {
  const s = Math.floor((Date.now() - t0) / 1000);
  return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;
};
const say = (line: string) => console.log(`${stamp()} ${line}`);

function merge(res: BenchResults, file: string): void {
  const unmatched = mergeReference(res, JSON.parse(readFileSync(file, 'utf8')) as TorchReference);
  say(`merged ${file}${unmatched.length ? ` (shapes not in this run, left out: ${unmatched.join(', ')})` : ''}`);
}

function write(res: BenchResults, out: string, table: boolean): void {
  const html = `${out.replace(/\.json$/i, '')}.html`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(res, null, 2)}\n`);
  writeFileSync(html, renderHtmlReport(res));
  console.log('');
  for (const line of summary(res)) console.log(line);
  if (table) console.log(`\n${renderMarkdown(res)}`);
  console.log('');
  console.log(`results: ${shownPath(out)}`);
  console.log(`report (full table, charts): ${shownPath(html)}${table ? '' : '; --table prints the table here'}`);
}

async function main(o: NodeOptions): Promise<number> {
  const cfg = makeConfig(o, NODE_DEFAULT_IMPLS);
  if (o.referenceArgs) {
    console.log(`--shapes ${formatShapes(cfg.shapes)} --iters ${cfg.iters} --seed ${cfg.seed}${cfg.quick ? ' --quick' : ''}`);
    return 0;
  }
  if (o.render) {
    const res = JSON.parse(readFileSync(o.render, 'utf8')) as BenchResults;
    if (o.reference) merge(res, o.reference);
    write(res, o.out ?? o.render, Boolean(o.table));
    return 0;
  }
  const host = await nodeHost(Boolean(o.swiftshader), say);
  const res = await runBench(cfg, host, say);
  if (typeof __BENCH_SOURCE__ !== 'undefined' && __BENCH_SOURCE__) res.source = __BENCH_SOURCE__;
  if (o.reference) merge(res, o.reference);
  write(res, o.out ?? resolve('bench-gpu.json'), Boolean(o.table));
  const bad = failures(res);
  if (bad.length) console.error(`FAILED: ${bad.join('\n  ')}`);
  return bad.length ? 1 : 0;
}

let opts: NodeOptions;
try {
  opts = parseNodeArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${HELP}`);
  process.exit(2);
}
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
main(opts).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exit(1);
  },
);
