// node bench/profile.mjs VARIANTS.json [--shapes 1024x1000,...] [--rounds 3] [--k 8]
// Runs bench/profile.html in headless Chromium: the library's cross-entropy call and shader
// variants of it (VARIANTS.json: [{ name, patches: [[from, to]], mode }]), interleaved with the read
// roof round by round; prints per variant the median wall time (one call + readback), steady
// time per call (k queued, one readback) and both as fractions of the roof measured in the same rounds.
import { readFileSync } from 'node:fs';
import { runInPage } from '../scripts/gpu-session.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const variants = argv[0] && !argv[0].startsWith('--') && argv[0].endsWith(".json") ? JSON.parse(readFileSync(argv[0], "utf8")).map((v) => (v.source ? { ...v, source: readFileSync(v.source, "utf8") } : v)) : [{ name: "lib" }];
const shapes = opt('--shapes', '1024x1000,256x32000,16384x100').split(',').map((s) => s.split('x').map(Number));
const rounds = Number(opt('--rounds', '3'));
const k = Number(opt('--k', '8'));

const code = await runInPage('/bench/profile.html', async ({ page }) => {
  if (argv.includes('--loads')) {
    for (const [rows, cols] of shapes) {
      const t = await page.evaluate((a) => window.__loads(...a), [rows, cols, rounds, k]);
      console.log(`${rows}x${cols} load patterns, min ms per dispatch: ${Object.entries(t).map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')}`);
    }
    return 0;
  }
  const out = await page.evaluate((o) => window.__profile(o), { shapes, variants, rounds, k });
  for (const s of out) {
    const roof = s.res['roof-read'];
    const rw = s.res['roof-rw'];
    console.log(`\n${s.shape}`);
    for (const [name, r] of Object.entries(s.res)) {
      const base = variants.find((v) => v.name === name)?.mode === 'gradOut' ? rw : roof;
      console.log(`  ${name.padEnd(28)} wall ${r.wall.toFixed(2).padStart(8)} ms (${(base.wall / r.wall).toFixed(2)} of roof)  steady ${r.steady.toFixed(2).padStart(8)} ms (${(base.steady / r.steady).toFixed(2)})${r.first !== undefined ? `  first ${r.first.toFixed(0)} ms` : ''}`);
    }
  }
});
process.exit(code);
