// `webgpu-loss/node`: the library in Node.js, on a device from Dawn's Node binding (the `webgpu`
// package, an optional peer dependency). Everything else is the browser code unchanged.
/**
 * The library in Node.js: {@link createNodeLoss} makes a {@link WebGPULoss} on a device from
 * Dawn's Node binding, the `webgpu` package (an optional peer dependency: `npm install webgpu`).
 * Everything else is the browser API unchanged.
 *
 * @example
 * import { createNodeLoss } from 'webgpu-loss/node';
 * const wl = await createNodeLoss();
 * const p = await wl.softmax({ data: new Float32Array([1, 2, 3]), shape: [1, 3] });
 * console.log(await p.read());   // Float32Array [0.090, 0.245, 0.665]
 * wl.dispose();
 * @module webgpu-loss/node
 */
import { WebGPULoss } from './loss';
import { DeviceError, OptionError } from './contract/errors';
import { optionsObject } from './contract/options';
import { show } from './contract/show';
import { CREATE_KEYS } from './gpu/device';
import type { CreateOptions } from './gpu/context';

/**
 * Options of {@link createNodeLoss}: `WebGPULoss.create`'s (except `gpu`, `device` and `adapter`,
 * which come from Dawn) and how to start Dawn.
 */
export interface NodeCreateOptions extends Omit<CreateOptions, 'gpu' | 'device' | 'adapter'> {
  /**
   * Dawn instance toggles, passed to `webgpu`'s `create()`. Default `['backend=vulkan']` on Linux
   * (Dawn's default choice there), `[]` elsewhere.
   */
  dawnOptions?: string[];
  /**
   * Path of a Vulkan ICD manifest to use (sets `VK_ICD_FILENAMES` before Dawn starts), e.g.
   * Chromium's SwiftShader `/usr/lib/chromium/vk_swiftshader_icd.json` on a machine without a
   * GPU. Default: the environment's own setting.
   */
  vulkanIcd?: string;
}

type DawnModule = { create(options: string[]): GPU; globals: Record<string, unknown> };
// Node's `process`, without making the browser build depend on Node's types.
const proc = (globalThis as { process?: { env: Record<string, string | undefined>; platform: string } }).process;

/**
 * Creates a `WebGPULoss` on Dawn's Node binding. Installs the WebGPU constant objects
 * (`GPUBufferUsage`, `GPUMapMode`, `GPUShaderStage`, ...) on `globalThis` where they are missing,
 * since the library uses them as in a browser. `dispose()` also destroys the device it made.
 * @example
 * import { createNodeLoss } from 'webgpu-loss/node';
 * const wl = await createNodeLoss();
 * const out = await wl.crossEntropy({ data: logits, shape: [rows, classes] }, { data: labels, shape: [rows] });
 * console.log((await out.loss.read())[0]);
 * wl.dispose();
 */
export async function createNodeLoss(opts: NodeCreateOptions = {}): Promise<WebGPULoss> {
  const { dawnOptions, vulkanIcd, ...create } = optionsObject(opts, [...CREATE_KEYS.filter((k) => !['gpu', 'device', 'adapter'].includes(k)), 'dawnOptions', 'vulkanIcd']);
  const toggles = dawnOptions === undefined ? undefined : strings(dawnOptions);
  if (dawnOptions !== undefined && !toggles) throw new OptionError('options.dawnOptions', `must be an array of strings, got ${show(dawnOptions)}`);
  if (vulkanIcd !== undefined && typeof vulkanIcd !== 'string') throw new OptionError('options.vulkanIcd', `must be a path, got ${show(vulkanIcd)}`);
  let dawn: DawnModule;
  try {
    // A variable specifier keeps bundlers from pulling the native module into browser builds.
    const name = 'webgpu';
    dawn = (await import(/* @vite-ignore */ name)) as DawnModule;
  } catch (e) {
    throw new DeviceError('NO_WEBGPU', `the 'webgpu' package (Dawn's Node binding) could not be loaded: ${e instanceof Error ? e.message : String(e)}. Install it with \`npm install webgpu\`.`);
  }
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  if (vulkanIcd !== undefined && proc) proc.env.VK_ICD_FILENAMES = vulkanIcd as string;
  const gpu = dawn.create(toggles ?? (proc?.platform === 'linux' ? ['backend=vulkan'] : []));
  let wl: WebGPULoss;
  try {
    wl = await WebGPULoss.create({ ...create, gpu });
  } catch (e) {
    if (!(e instanceof DeviceError) || e.code !== 'NO_WEBGPU') throw e;
    throw new DeviceError('NO_WEBGPU', `${e.message}. Dawn on Linux needs a Vulkan driver and the Vulkan loader ` +
      '(Debian: `apt-get install libvulkan1`); without a GPU, point `vulkanIcd` at SwiftShader\'s ICD manifest ' +
      '(Chromium ships one: /usr/lib/chromium/vk_swiftshader_icd.json).');
  }
  // Dawn's instance must outlive its devices, and nothing else holds it: a collected instance
  // takes its worker threads down with the process.
  instances.set(wl.device, gpu);
  return wl;
}

const instances = new WeakMap<GPUDevice, GPU>();

/** A copy of an array of strings (each item read once), or undefined for anything else, a proxy whose reads throw included. */
function strings(v: unknown): string[] | undefined {
  try {
    const list = Array.isArray(v) ? Array.from(v as unknown[]) : undefined;
    return list?.every((t) => typeof t === 'string') ? (list as string[]) : undefined;
  } catch {
    return undefined;
  }
}

export { WebGPULoss };
