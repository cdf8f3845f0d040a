// `npm run bench:gpu:bundle`: a self-contained folder that runs `npm run bench:gpu` on a Linux
// x86-64 machine with no Node and no network (a GPU box with Python). It holds an xz-compressed
// Node binary, the benchmark built into one module (scripts/build-bench-gpu.mjs), Dawn's binding
// (xz), bench/torch_reference.py, Debian's Vulkan loader where apt-get can fetch it, and run.sh.
//
//   npm run bench:gpu:bundle [-- --dir DIR] [--node FILE] [--no-debs]
//   there: bash DIR/run.sh OUT_DIR [bench:gpu options]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { buildBenchGpu } from './build-bench-gpu.mjs';
import { ROOT_DIR } from './paths.mjs';

const MAX_MIB = 60; // what travels to the GPU machine beside the working tree
const CACHE = join(ROOT_DIR, 'node_modules', '.cache', 'webgpu-loss-bench-gpu-bundle');
const WEBGPU = join(ROOT_DIR, 'node_modules', 'webgpu');

function parse(argv) {
  const o = { dir: join(ROOT_DIR, 'dist-bench-gpu'), node: process.execPath, debs: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dir') o.dir = resolve(argv[++i]);
    else if (argv[i] === '--node') o.node = resolve(argv[++i]);
    else if (argv[i] === '--no-debs') o.debs = false;
    else throw new Error(`unknown option ${argv[i]} (--dir DIR, --node FILE, --no-debs)`);
  }
  return o;
}

/** `src` compressed with xz into `dst`, from a cache keyed by the source's size and mtime
 *  (compressing Node's ~100 MB takes a minute). */
function xzCached(src, dst) {
  const st = statSync(src);
  const cached = join(CACHE, `${basename(src)}-${st.size}-${Math.floor(st.mtimeMs)}.xz`);
  if (!existsSync(cached)) {
    console.log(`compressing ${src} (${(st.size / 2 ** 20).toFixed(0)} MiB) with xz...`);
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${cached}.part`;
    execFileSync('sh', ['-c', 'xz -6 -T0 -c "$1" > "$2"', 'sh', src, tmp], { stdio: 'inherit' });
    execFileSync('mv', [tmp, cached]);
  }
  copyFileSync(cached, dst);
}

/** Debian's Vulkan loader (libvulkan1) and libglvnd0 (NVIDIA's Vulkan driver links its
 *  libGLdispatch) for a machine without them; optional (needs apt's package lists). */
const DEBS = ['libvulkan1', 'libglvnd0'];
function fetchDebs(dir) {
  mkdirSync(dir, { recursive: true });
  const download = () => spawnSync('apt-get', ['download', ...DEBS], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  let r = download();
  if (r.status !== 0 && process.getuid?.() === 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    r = download();
  }
  const got = readdirSync(dir).filter((f) => f.endsWith('.deb'));
  if (got.length) console.log(`carried libraries: ${got.map((f) => `debs/${f}`).join(', ')}`);
  if (got.length < DEBS.length) console.warn(`warning: not all of ${DEBS.join(', ')} fetched (apt-get download: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); run.sh then needs the machine's own`);
}

function sizeOf(p) {
  const st = statSync(p);
  return st.isDirectory() ? readdirSync(p).reduce((n, f) => n + sizeOf(join(p, f)), 0) : st.size;
}

const o = parse(process.argv.slice(2));
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.warn(`warning: this is ${process.platform}-${process.arch}; the bundle is for linux-x64, so pass --node with a linux-x64 Node binary`);
}
const dawn = join(WEBGPU, 'dist', 'linux-x64', 'dawn.node');
if (!existsSync(dawn)) throw new Error(`${dawn} is missing: run npm ci`);

rmSync(o.dir, { recursive: true, force: true });
const app = join(o.dir, 'app');
await buildBenchGpu(app);
// The binding's loader and its package.json; dawn.node itself travels compressed.
const pkg = join(app, 'node_modules', 'webgpu');
mkdirSync(join(pkg, 'dist', 'linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json', 'LICENSE.md']) copyFileSync(join(WEBGPU, f), join(pkg, f));
xzCached(o.node, join(o.dir, 'node.xz'));
xzCached(dawn, join(o.dir, 'dawn.node.xz'));
for (const f of ['run.sh', 'unpack.py']) cpSync(join(ROOT_DIR, 'bench', 'gpu-bundle', f), join(o.dir, f));
copyFileSync(join(ROOT_DIR, 'bench', 'torch_reference.py'), join(o.dir, 'torch_reference.py'));
if (o.debs) fetchDebs(join(o.dir, 'debs'));
writeFileSync(join(o.dir, 'README.txt'), `webgpu-loss GPU benchmark, built by npm run bench:gpu:bundle (Node ${execFileSync(o.node, ['--version'], { encoding: 'utf8' }).trim()}).\nRun: bash run.sh OUT_DIR [options]; bash run.sh alone prints how.\n`);

const mib = sizeOf(o.dir) / 2 ** 20;
console.log(`\n${relative(process.cwd(), o.dir) || o.dir}: ${mib.toFixed(1)} MiB`);
for (const f of readdirSync(o.dir).sort()) console.log(`  ${f.padEnd(20)} ${(sizeOf(join(o.dir, f)) / 2 ** 20).toFixed(1)} MiB`);
if (mib > MAX_MIB) {
  console.error(`the bundle is over ${MAX_MIB} MiB`);
  process.exit(1);
}
console.log(`\nOn the GPU machine: bash ${relative(process.cwd(), o.dir) || o.dir}/run.sh OUT_DIR`);
