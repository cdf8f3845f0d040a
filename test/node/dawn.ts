// A WebGPULoss on Dawn's Node binding for the Node tests: SwiftShader's Vulkan driver (Chromium
// ships it) unless VK_ICD_FILENAMES names another. No driver is a failure, not a skip.
import { createNodeLoss } from '../../src/node';
import type { WebGPULoss } from '../../src/index';
// @ts-expect-error plain ESM helper shared with the setup script
import { findSwiftShaderIcd } from '../../scripts/chromium.mjs';

export function vulkanIcd(): string {
  const icd = process.env.VK_ICD_FILENAMES ?? findSwiftShaderIcd();
  if (!icd) throw new Error('no Vulkan driver manifest: install chromium (its SwiftShader ICD) or set VK_ICD_FILENAMES');
  return icd;
}

export function dawnLoss(): Promise<WebGPULoss> {
  return createNodeLoss({ vulkanIcd: vulkanIcd() });
}
