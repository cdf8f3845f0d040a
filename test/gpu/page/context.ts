// The library area's context: one WebGPULoss on a device of its own, shared by its handlers, and
// the other contexts a spec may ask for.
import { WebGPULoss } from '../../../src/index';
import { contextsFor } from '../../util/check';

export let ctx: WebGPULoss;

export async function startContext(): Promise<WebGPULoss> {
  ctx = await WebGPULoss.create();
  return ctx;
}

/** A device of its own, with the spec-default limits (an adapter gives one device). */
export async function newDevice(): Promise<GPUDevice> {
  return (await navigator.gpu.requestAdapter())!.requestDevice();
}

export const contextFor = contextsFor(() => ctx, newDevice);
