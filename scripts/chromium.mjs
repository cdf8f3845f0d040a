// Finding (and on Debian as root, installing) a Chromium for the GPU tests and the benchmark.
// CHROME_PATH points at any other Chrome or Chromium.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium() {
  if (process.env.CHROME_PATH) {
    if (!existsSync(process.env.CHROME_PATH)) throw new Error(`CHROME_PATH=${process.env.CHROME_PATH} does not exist`);
    return process.env.CHROME_PATH;
  }
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    console.log('Chromium not found: installing Debian\'s chromium with apt-get (needed for WebGPU in headless mode)...');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'inherit' });
    const now = findChromium();
    if (now) return now;
  }
  throw new Error(
    'No Chromium found. Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`), ' +
      'or point CHROME_PATH at a Chrome/Chromium binary with WebGPU.',
  );
}

/** Chromium's SwiftShader Vulkan driver manifest, for Dawn in Node (VK_ICD_FILENAMES). */
export function findSwiftShaderIcd() {
  const dirs = ['/usr/lib/chromium', '/usr/lib/chromium-browser', '/opt/google/chrome'];
  if (process.env.CHROME_PATH) dirs.unshift(dirname(realpathSync(process.env.CHROME_PATH)));
  for (const d of dirs) if (existsSync(join(d, 'vk_swiftshader_icd.json'))) return join(d, 'vk_swiftshader_icd.json');
  return null;
}

function hasVulkanLoader() {
  return spawnSync('sh', ['-c', 'ldconfig -p 2>/dev/null | grep -q "libvulkan.so.1 " || [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ]'], { stdio: 'ignore' }).status === 0;
}

/**
 * The Vulkan loader (libvulkan.so.1) that Dawn's Node binding needs for the Node tests; installed
 * with apt-get on Debian as root, otherwise named in the error.
 */
export function ensureVulkanLoader() {
  if (hasVulkanLoader()) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    console.log('Vulkan loader not found: installing Debian\'s libvulkan1 with apt-get (Dawn in Node needs it)...');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1'], { stdio: 'inherit' });
    if (hasVulkanLoader()) return true;
  }
  throw new Error('No Vulkan loader (libvulkan.so.1) found; the Node tests need it. Install it (Debian/Ubuntu: `sudo apt-get install -y libvulkan1`).');
}

// Flags verified on SwiftShader (see shared/webgpu-headless.md): WebGPU on, no network chatter.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
