import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// The library build: ESM, with every .wgsl file inlined as a string (`?raw` imports), so dist/
// carries its shaders. Pages (tests, bench, demo) are served from the repo root by the dev server.
export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: { index: resolve(__dirname, 'src/index.ts'), reference: resolve(__dirname, 'src/reference/index.ts') },
      formats: ['es'],
    },
    rollupOptions: { output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' } },
  },
});
