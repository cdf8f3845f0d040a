import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The demo page: `npm run demo` serves it (Vite dev server), `npm run build:demo` writes a static
// site to dist-demo/ with relative paths, so it can be opened from any folder or static host.
// The page imports the library's sources and shaders from ../src and ../shaders.
const demoDir = fileURLToPath(new URL('.', import.meta.url));
const rootDir = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: demoDir,
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist-demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: { fs: { allow: [rootDir] } },
});
