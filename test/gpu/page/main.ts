// The one test page. `?area=` says what it sets up: the library on a device of its own, or on the
// device of TF.js or ONNX Runtime Web. test/gpu/harness.ts then calls the area's handlers by name,
// arguments and results crossing in the wire codec. Every device the page requests is watched:
// a WebGPU error that no error scope caught is reported with the call it happened in.
import type { WebGPULoss } from '../../../src/index';
import { adapterReport } from '../../util/engine';
import { encode, decode } from '../../util/wire';
import { uncaptured, watchNewDevices } from './uncaptured';

export type Handlers = Record<string, (...args: never[]) => unknown>;

/** What an area's start() gives: its context, its handlers, and facts for the adapter report. */
export interface Area {
  wl: WebGPULoss;
  handlers: Handlers;
  facts?: Record<string, unknown>;
}

const AREAS: Record<string, () => Promise<{ start(): Promise<Area> }>> = {
  library: () => import('./library'),
  tfjs: () => import('./tfjs'),
  onnxruntime: () => import('./onnxruntime'),
};

watchNewDevices();

let handlers: Handlers = {};
const page = window as unknown as { __ready: Promise<unknown>; __call(name: string, args: string): Promise<string> };

page.__ready = (async () => {
  try {
    const name = new URLSearchParams(location.search).get('area') ?? 'library';
    if (!(name in AREAS)) throw new Error(`no test area '${name}'`);
    const area = await (await AREAS[name]()).start();
    handlers = area.handlers;
    return { ok: true, ...adapterReport(area.wl), ...area.facts };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
  }
})();

page.__call = async (name, args) => {
  const handler = handlers[name] as ((...a: unknown[]) => unknown) | undefined;
  if (!handler) throw new Error(`the test page has no handler '${name}'`);
  const value = await handler(...decode<unknown[]>(args));
  return encode({ value, errors: uncaptured.splice(0) });
};
