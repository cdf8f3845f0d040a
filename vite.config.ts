import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The library build: ESM, with every .wgsl file inlined as a string (`?raw` imports), so dist/
// carries its shaders. Pages (tests, bench, demo) are served from the repo root by the dev server.
// Not minified and without source maps: an app's bundler minifies anyway, and unminified output
// keeps the source's names, so it reads in a debugger without maps (which would double dist/).
export default defineConfig({
  build: {
    target: 'es2022',
    minify: false,
    lib: {
      entry: {
        index: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
        reference: fileURLToPath(new URL('./src/reference/index.ts', import.meta.url)),
        node: fileURLToPath(new URL('./src/node.ts', import.meta.url)),
        onnxruntime: fileURLToPath(new URL('./src/interop/onnxruntime.ts', import.meta.url)),
        tfjs: fileURLToPath(new URL('./src/interop/tfjs.ts', import.meta.url)),
      },
      formats: ['es'],
    },
    rollupOptions: { output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' } },
  },
});
