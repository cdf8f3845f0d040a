// WebGPU errors that no error scope caught, on any device the page requests; the page reports and
// clears them after each handler call.
export const uncaptured: string[] = [];

/** Watches every device requested from now on (the library's, TF.js's, ONNX Runtime's). */
export function watchNewDevices(): void {
  if (typeof GPUAdapter === 'undefined') return; // no WebGPU: the area's start() says so
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, ...a: Parameters<GPUAdapter['requestDevice']>) {
    const device = await requestDevice.apply(this, a);
    device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
    return device;
  };
}
