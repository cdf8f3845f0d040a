import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM helper shared with the benchmark scripts
import { sourceInfo } from '../scripts/source-info.mjs';

// The static site: `npm run build:site` writes the landing page (index.html), the demo
// (demo/index.html) and the benchmark page (bench/index.html) to dist-site/ with relative paths,
// like the demo's own build, so the folder runs from any static host or localhost server. The
// benchmark records the commit it was built from.
const rootDir = fileURLToPath(new URL('..', import.meta.url));
const page = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export default defineConfig({
  root: rootDir,
  base: './',
  define: { __BENCH_SOURCE__: JSON.stringify(sourceInfo() ?? null) },
  build: {
    outDir: fileURLToPath(new URL('../dist-site', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The benchmark page carries TF.js and its backends (its peers): about 0.7 MB.
    chunkSizeWarningLimit: 1024,
    rollupOptions: { input: { index: page('index.html'), demo: page('demo/index.html'), bench: page('bench/index.html') } },
  },
});
