// First step of `npm start`, `npm test`, `npm run bench` and `npm run bench:gpu`: on a fresh
// clone, install the npm dependencies (npm ci) and a Chromium for WebGPU, so each is one command
// on a new machine. `--node` (bench:gpu): no Chromium, only Dawn's Vulkan loader on Linux.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureChromium, ensureVulkanLoader } from './chromium.mjs';
import { ROOT_DIR } from './paths.mjs';

if (!existsSync(join(ROOT_DIR, 'node_modules', 'vitest')) || !existsSync(join(ROOT_DIR, 'node_modules', 'puppeteer-core'))) {
  console.log('Installing npm dependencies (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { cwd: ROOT_DIR, stdio: 'inherit', env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } });
}
const nodeOnly = process.argv.includes('--node');
try {
  if (!nodeOnly) console.log(`chromium: ${ensureChromium()}`);
  if (!nodeOnly || process.platform === 'linux') ensureVulkanLoader();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
