// Getting a device and the facts about its adapter that choose kernel shapes.
import { DeviceError, OptionError } from '../contract/errors';
import { CREATE_KEYS, type CreateOptions } from '../contract/create';
export { CREATE_KEYS, type CreateOptions };
import { bool, oneOf, optionsObject } from '../contract/options';
import { show } from '../contract/show';
import { branded } from '../contract/brand';


/** Facts about the adapter that choose kernel shapes. */
export interface AdapterFacts {
  /** The adapter's vendor (`GPUAdapterInfo.vendor`); `''` when the browser does not say. */
  vendor: string;
  /** The adapter's architecture (`GPUAdapterInfo.architecture`); `''` when unknown. */
  architecture: string;
  /** The adapter's description (`GPUAdapterInfo.description`); `''` when unknown. */
  description: string;
  /** A CPU implementation (SwiftShader, WARP): it wants few, fat workgroups. */
  isFallback: boolean;
  /** Whether the device has the `subgroups` feature. */
  subgroups: boolean;
  /** The adapter's smallest subgroup size (0 when unknown). */
  subgroupMinSize: number;
  /** The adapter's largest subgroup size (0 when unknown). */
  subgroupMaxSize: number;
  /** Whether the device has the `timestamp-query` feature. */
  timestampQuery: boolean;
}

export interface Acquired {
  device: GPUDevice;
  facts: AdapterFacts;
  /** Requested here (then the library destroys it on dispose), not the caller's. */
  owned: boolean;
}


/** Whether `v` has these methods; false for a look-alike whose reads throw. */
function has(v: unknown, ...fns: string[]): boolean {
  try {
    return typeof v === 'object' && v !== null && fns.every((f) => typeof (v as Record<string, unknown>)[f] === 'function');
  } catch {
    return false;
  }
}

/** A real GPUDevice (a Proxy of one fails WebGPU's own checks later, with a TypeError). */
function isDevice(d: unknown): d is GPUDevice {
  return has(d, 'createBuffer', 'createComputePipelineAsync', 'pushErrorScope') && branded(d as object, globalThis.GPUDevice, 'queue') && typeof (d as GPUDevice).queue === 'object';
}

/** A GPUAdapter: a device to request, the limits to request it with, and its features. */
function isAdapter(a: unknown): a is GPUAdapter {
  if (!has(a, 'requestDevice')) return false;
  try {
    const { limits, features } = a as GPUAdapter;
    return typeof limits === 'object' && limits !== null && has(features, 'has');
  } catch {
    return false;
  }
}

/** CreateOptions read once and checked: a wrong kind of object is refused by name, not met later as a TypeError. */
export function parseCreateOptions(options: unknown): CreateOptions {
  const o = optionsObject(options, CREATE_KEYS);
  if (o.device !== undefined && !isDevice(o.device)) throw new OptionError('options.device', `must be a GPUDevice, got ${show(o.device)}`);
  if (o.adapter !== undefined && !isAdapter(o.adapter)) throw new OptionError('options.adapter', `must be a GPUAdapter, got ${show(o.adapter)}`);
  if (o.gpu !== undefined && !has(o.gpu, 'requestAdapter')) throw new OptionError('options.gpu', `must be a GPU (navigator.gpu), got ${show(o.gpu)}`);
  const m = o.maxBindingBytes;
  if (m !== undefined && (typeof m !== 'number' || !Number.isInteger(m) || m < 1024)) throw new OptionError('options.maxBindingBytes', `must be an integer >= 1024, got ${show(m)}`);
  return {
    device: o.device as GPUDevice | undefined,
    adapter: o.adapter as GPUAdapter | undefined,
    gpu: o.gpu as GPU | undefined,
    powerPreference: o.powerPreference === undefined ? undefined : oneOf(o.powerPreference, ['low-power', 'high-performance'] as const, 'options.powerPreference', 'high-performance'),
    debug: bool(o.debug, 'options.debug'),
    maxBindingBytes: m as number | undefined,
    subgroups: bool(o.subgroups, 'options.subgroups', true),
  };
}

/** The caller's device, or a device requested with the adapter's own limits (not the spec defaults). */
export async function acquireDevice(opts: CreateOptions): Promise<Acquired> {
  if (opts.device) return { device: opts.device, facts: factsOf(opts.device, undefined), owned: false };
  const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  if (!gpu) throw new DeviceError('NO_WEBGPU', `WebGPU is not available here (navigator.gpu is missing; ${(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ? "in Node, use 'webgpu-loss/node', which brings Dawn" : 'pages need a secure context: https or localhost'})`);
  let adapter: GPUAdapter | null;
  try {
    adapter = opts.adapter ?? (await gpu.requestAdapter({ powerPreference: opts.powerPreference }));
  } catch (e) {
    throw new DeviceError('NO_WEBGPU', `requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!adapter) throw new DeviceError('NO_WEBGPU', 'no WebGPU adapter was found');
  if (!isAdapter(adapter)) throw new DeviceError('NO_WEBGPU', `requestAdapter() gave something other than a GPUAdapter: ${show(adapter)}`);
  const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxStorageBuffersPerShaderStage'] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures: GPUFeatureName[] = [];
  for (const f of ['subgroups', 'timestamp-query'] as GPUFeatureName[]) if (adapter.features.has(f)) requiredFeatures.push(f);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webgpu-loss' });
  } catch (e) {
    throw new DeviceError('NO_WEBGPU', `the adapter gave no device: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isDevice(device)) throw new DeviceError('NO_WEBGPU', `the adapter gave something other than a GPUDevice: ${show(device)}`);
  return { device, facts: factsOf(device, adapter), owned: true };
}

function factsOf(device: GPUDevice, adapter: GPUAdapter | undefined): AdapterFacts {
  const info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } =
    (adapter?.info ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? {}) as GPUAdapterInfo;
  const architecture = info.architecture ?? '';
  return {
    vendor: info.vendor ?? '',
    architecture,
    description: info.description ?? '',
    isFallback: Boolean(info.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe|warp/i.test(`${architecture} ${info.description ?? ''}`),
    subgroups: device.features.has('subgroups'),
    subgroupMinSize: (info as { subgroupMinSize?: number }).subgroupMinSize ?? 0,
    subgroupMaxSize: (info as { subgroupMaxSize?: number }).subgroupMaxSize ?? 0,
    timestampQuery: device.features.has('timestamp-query'),
  };
}
