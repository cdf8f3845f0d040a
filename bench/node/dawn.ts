// The Node benchmark's device: Dawn's binding on whatever GPU the machine has (Vulkan on Linux,
// Metal on macOS, D3D12 on Windows), or SwiftShader's Vulkan driver when asked for or when no GPU
// adapter comes back (Linux only: Chromium ships that driver).
import { createNodeLoss } from '../../src/node';
import { DeviceError, type WebGPULoss } from '../../src/index';
// @ts-expect-error plain ESM helper shared with the setup script
import { findSwiftShaderIcd } from '../../scripts/chromium.mjs';

export interface DawnChoice {
  /** A fresh library context on a new device of the chosen adapter. */
  createLoss(): Promise<WebGPULoss>;
  /** Dawn's backend: the one forced on Linux, else the platform's default. */
  backend: string;
  /** The SwiftShader ICD in use, if any. */
  swiftshader?: string;
}

const BACKENDS: Record<string, string> = { linux: 'vulkan', darwin: 'metal', win32: 'd3d12' };

// Dawn rounds timestamps to 65.536 µs by default (a browser's guard against timing attacks);
// a benchmark wants them exact.
const DAWN_OPTIONS = [...(process.platform === 'linux' ? ['backend=vulkan'] : []), 'disable-dawn-features=timestamp_quantization'];

function swiftshaderIcd(): string {
  const icd: string | null = process.env.SWIFTSHADER_ICD || findSwiftShaderIcd();
  if (!icd) {
    throw new Error('no SwiftShader Vulkan driver: install Chromium (it ships vk_swiftshader_icd.json) or set SWIFTSHADER_ICD to its manifest');
  }
  return icd;
}

function onSwiftShader(icd: string): DawnChoice {
  // The loader prefers VK_DRIVER_FILES over VK_ICD_FILENAMES (which createNodeLoss sets).
  process.env.VK_DRIVER_FILES = icd;
  return { backend: 'vulkan', swiftshader: icd, createLoss: () => createNodeLoss({ vulkanIcd: icd, dawnOptions: DAWN_OPTIONS }) };
}

/**
 * Picks the adapter: the machine's GPU, unless `swiftshader` is set or none answers; `say` gets
 * one line naming a fallback. The probe context is disposed.
 */
export async function chooseDawn(swiftshader: boolean, say: (line: string) => void): Promise<DawnChoice> {
  if (swiftshader) return onSwiftShader(swiftshaderIcd());
  const gpu: DawnChoice = {
    backend: BACKENDS[process.platform] ?? 'default',
    createLoss: () => createNodeLoss({ dawnOptions: DAWN_OPTIONS, powerPreference: 'high-performance' }),
  };
  try {
    const probe = await gpu.createLoss();
    if (probe.adapter.isFallback) say(`note: Dawn's adapter is a CPU fallback (${probe.adapter.description || probe.adapter.architecture}), not a GPU`);
    probe.dispose();
    return gpu;
  } catch (e) {
    if (!(e instanceof DeviceError) || e.code !== 'NO_WEBGPU') throw e;
    const icd = swiftshaderIcd();
    say(`no GPU adapter through Dawn (${e.message.split('. ')[0]}): FALLING BACK to SwiftShader, a CPU Vulkan (${icd})`);
    return onSwiftShader(icd);
  }
}
