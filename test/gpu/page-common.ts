// What every oracle test page shares: the WebGPU errors seen on its devices, and the
// window.__h / window.__ready handshake that test/gpu/harness.ts waits for.
import { WebGPULoss } from '../../src/index';
import { engineOf } from '../../src/loss';
import type { AdapterReport, ContextSpec } from './page-types';

/** Uncaptured WebGPU errors of every device a page listens to; harness call() drains them. */
export const pageErrors: string[] = [];

export function listen(device: GPUDevice): GPUDevice {
  device.addEventListener('uncapturederror', (e) => pageErrors.push((e as GPUUncapturedErrorEvent).error.message));
  return device;
}

/**
 * Publishes the page's handlers (plus takeErrors) and its adapter report, once `init` has made
 * the page's context. A failure to get one is reported as `ok: false`, which fails the tests.
 */
export function startPage(handlers: Record<string, unknown>, init: () => Promise<WebGPULoss>): void {
  const w = window as unknown as { __h: Record<string, unknown>; __ready: Promise<AdapterReport> };
  w.__h = { takeErrors: () => pageErrors.splice(0), ...handlers };
  w.__ready = (async (): Promise<AdapterReport> => {
    try {
      const ctx = await init();
      listen(ctx.device);
      const a = ctx.adapter;
      return {
        ok: true, vendor: a.vendor, architecture: a.architecture, description: a.description, isFallback: a.isFallback,
        subgroups: a.subgroups, timestampQuery: a.timestampQuery, subgroupSize: engineOf(ctx).subgroupSize,
        maxStorageBufferBindingSize: ctx.device.limits.maxStorageBufferBindingSize, maxBufferSize: ctx.device.limits.maxBufferSize,
      };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  })();
}

/**
 * The page's shared context for specs without a ContextSpec; otherwise one made once per spec: on
 * a new device with the spec-default limits, or on the shared device with a lowered binding size
 * or without subgroups.
 */
export function contextsFrom(shared: () => WebGPULoss): (spec: ContextSpec | undefined) => Promise<WebGPULoss> {
  const made = new Map<string, Promise<WebGPULoss>>();
  return (spec) => {
    if (!spec) return Promise.resolve(shared());
    const key = JSON.stringify(spec);
    let c = made.get(key);
    if (!c) {
      c = (async () => {
        const device = spec.defaultLimits ? listen(await (await navigator.gpu.requestAdapter())!.requestDevice()) : shared().device;
        return WebGPULoss.create({ device, maxBindingBytes: spec.maxBindingBytes, subgroups: spec.subgroups });
      })();
      made.set(key, c);
    }
    return c;
  };
}
