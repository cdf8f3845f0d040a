// Builds the Node benchmark (bench/node/main.ts, the library and bench/ around it, shaders
// inlined) into one ES module for Node. Dawn's binding stays outside: the library imports
// `webgpu` at run time, from a node_modules beside the module.
import { build } from 'vite';
import { join } from 'node:path';
import { ROOT_DIR } from './paths.mjs';
import { sourceInfo } from './source-info.mjs';

export const BENCH_GPU_FILE = 'bench-gpu.mjs';

/** Writes `outDir/bench-gpu.mjs`; returns its path. */
export async function buildBenchGpu(outDir) {
  await build({
    configFile: false,
    root: ROOT_DIR,
    logLevel: 'warn',
    define: { __BENCH_SOURCE__: JSON.stringify(sourceInfo() ?? null) },
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: join(ROOT_DIR, 'bench', 'node', 'main.ts'),
      outDir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      copyPublicDir: false,
      rollupOptions: { output: { entryFileNames: BENCH_GPU_FILE, format: 'es', codeSplitting: false } },
    },
  });
  return join(outDir, BENCH_GPU_FILE);
}
