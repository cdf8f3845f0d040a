// Starts one Vite server and one headless Chromium for every GPU test file.
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM helper shared with the smoke run and the benchmark
import { startServer, launchBrowser } from '../../scripts/gpu-session.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    gpuOrigin: string;
    wsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { server, origin } = await startServer();
  const { browser, close } = await launchBrowser();
  project.provide('gpuOrigin', origin);
  project.provide('wsEndpoint', browser.wsEndpoint());
  return async () => {
    await close();
    await server.close();
  };
}
