// The options of WebGPULoss.create(), named once for the library and the adapters that pass them on.
import { keysOf } from './keys';

/** Options of {@link WebGPULoss.create}: which device to run on, and how to build the kernels. */
export interface CreateOptions {
  /** Use this device (e.g. TensorFlow.js's or ONNX Runtime Web's). Otherwise one is requested. */
  device?: GPUDevice;
  /** Adapter to request a device from, when no device is given. */
  adapter?: GPUAdapter;
  /** Passed to `requestAdapter()` when neither a device nor an adapter is given. */
  powerPreference?: GPUPowerPreference;
  /** The `navigator.gpu` to use (for Node bindings). */
  gpu?: GPU;
  /** Print each shader's final WGSL when its module is built. */
  debug?: boolean;
  /**
   * Largest storage binding a dispatch may use, in bytes (default: the device's
   * maxStorageBufferBindingSize). Lower it to bound per-dispatch memory; tests use it to exercise
   * row chunking on small inputs.
   */
  maxBindingBytes?: number;
  /**
   * Use subgroup operations for row reductions where the device has the `subgroups` feature and
   * one fixed subgroup size (default true). False forces the portable workgroup-tree version.
   */
  subgroups?: boolean;
}

export const CREATE_KEYS = keysOf<CreateOptions>()(['device', 'adapter', 'powerPreference', 'gpu', 'debug', 'maxBindingBytes', 'subgroups']);
