// A Vite config's static build, as a visitor gets it: built into a temporary folder and served
// by `vite preview` on 127.0.0.1 (for the demo's and the site's tests).
import { build, preview } from 'vite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StaticBuild {
  /** The built folder. */
  dir: string;
  /** The server's address, ending in '/'. */
  origin: string;
  close(): Promise<void>;
}

export async function buildAndServe(configFile: string, name: string): Promise<StaticBuild> {
  const dir = mkdtempSync(join(tmpdir(), `webgpu-loss-${name}-`));
  await build({ configFile, logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
  const server = await preview({ configFile, logLevel: 'error', build: { outDir: dir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const origin = server.resolvedUrls?.local[0];
  if (!origin) throw new Error(`the ${name} preview server has no URL`);
  return {
    dir,
    origin,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
