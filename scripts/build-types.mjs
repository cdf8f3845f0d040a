// Declarations for dist/: tsc emits one .d.ts per source file into a scratch folder, then
// rollup-plugin-dts bundles them per entry (the entries of vite.config.ts), with types shared by
// several entries in shared chunks (declared once, so e.g. `WebGPULoss` from `webgpu-loss/node`
// is the same class as from `webgpu-loss`) and relative imports written as `.js`, which
// node16/nodenext resolution needs. Only what an entry exports survives: internals stay out.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { loadConfigFromFile } from 'vite';
import { ROOT_DIR } from './paths.mjs';

const TSCONFIG = join(ROOT_DIR, 'tsconfig.build.json');
// tsc's output: inside the repo (bare imports resolve from its node_modules) but not under
// node_modules (the plugin leaves anything there external); removed once bundled.
const TMP = join(ROOT_DIR, JSON.parse(readFileSync(TSCONFIG, 'utf8')).compilerOptions.outDir);
const SRC = join(ROOT_DIR, 'src');

const { config } = await loadConfigFromFile({ command: 'build', mode: 'production' }, join(ROOT_DIR, 'vite.config.ts'), ROOT_DIR, 'silent');
const entries = /** @type {Record<string, string>} */ (config.build.lib.entry);
const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8'));
const optionalPeers = Object.keys(pkg.peerDependenciesMeta ?? {}).filter((name) => pkg.peerDependenciesMeta[name].optional);

rmSync(TMP, { recursive: true, force: true });
execFileSync(process.execPath, [join(ROOT_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', TSCONFIG], { cwd: ROOT_DIR, stdio: 'inherit' });

const consumerReady = {
  name: 'consumer-ready',
  renderChunk(code) {
    // The source takes the WebGPU globals (GPUDevice, ...) from tsconfig's `types`; a consumer's
    // compiler sees them only through a reference in each declaration file that names them.
    if (/\bGPU[A-Z]\w*\b/.test(code)) code = `/// <reference types="@webgpu/types" />\n${code}`;
    // An optional peer may be absent: its types are then `any` instead of an error in our files.
    for (const peer of optionalPeers) {
      const from = new RegExp(`^((?:import|export) .* from (['"])${peer.replace(/[/.]/g, '\\$&')}(?:/[^'"]*)?\\2;)$`, 'gm');
      code = code.replace(from, `// @ts-ignore: ${peer} is an optional peer dependency\n$1`);
    }
    return code;
  },
};

const bundle = await rollup({
  input: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(TMP, relative(SRC, file).replace(/\.ts$/, '.d.ts'))])),
  plugins: [dts({ tsconfig: TSCONFIG }), consumerReady],
  onwarn(warning) {
    throw new Error(`declaration bundle: ${warning.message}`);
  },
});
await bundle.write({
  dir: join(ROOT_DIR, 'dist'),
  format: 'es',
  entryFileNames: '[name].d.ts',
  // Chunks are named after a module (`loss.d`); without the `.d` they don't read as `loss.d-<hash>.d.ts`.
  chunkFileNames: (chunk) => `chunks/${chunk.name.replace(/\.d$/, '')}-[hash].d.ts`,
});
await bundle.close();
rmSync(TMP, { recursive: true, force: true });

// TypeScript 6 and later declare the WebGPU types in their DOM lib, and @webgpu/types then
// collides with it (duplicate identifiers). Those compilers take, through the `types@>=6.0`
// export condition, the same declarations without the reference.
const DIST = join(ROOT_DIR, 'dist');
const TS6 = join(DIST, 'ts6');
rmSync(TS6, { recursive: true, force: true });
for (const dir of ['', 'chunks']) {
  mkdirSync(join(TS6, dir), { recursive: true });
  for (const f of readdirSync(join(DIST, dir)).filter((n) => n.endsWith('.d.ts'))) {
    const text = readFileSync(join(DIST, dir, f), 'utf8');
    writeFileSync(join(TS6, dir, f), text.replace(/^\/\/\/ <reference types="@webgpu\/types" \/>\n/, ''));
  }
}
