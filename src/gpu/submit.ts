// One call's dispatches encoded into one command encoder and submitted once, inside error scopes
// that turn WebGPU's reports for that call into typed errors.
import { DeviceError } from '../contract/errors';
import type { Family } from './shaders';
import type { PipelineCache } from './pipelines';
import type { Binding } from './memory';

/** One compute pass of a call. */
export interface Dispatch {
  family: Family;
  entry: string;
  constants?: Record<string, number>;
  /** Raw uniform bytes (at most UNIFORM_SLOT). */
  uniforms: ArrayBuffer;
  /** Storage bindings in order, from binding 1. */
  bindings: Binding[];
  workgroups: number;
}

/** Bytes of each dispatch's uniform block in the shared uniform buffer (the offset alignment). */
const UNIFORM_SLOT = 256;

export class Submitter {
  private ubuf: GPUBuffer | null = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly pipelines: PipelineCache,
    private readonly checkAlive: () => void,
  ) {}

  /**
   * Encodes every dispatch of one call in one command encoder (between `before` and `after`,
   * for copies) and submits it once. `done` settles when the call's error scopes pop: it rejects
   * with a typed error if WebGPU reported a validation or out-of-memory error for this call.
   */
  async run(label: string, dispatches: Dispatch[], before?: (enc: GPUCommandEncoder) => void, after?: (enc: GPUCommandEncoder) => void): Promise<{ done: Promise<void> }> {
    this.checkAlive();
    let pipes: GPUComputePipeline[];
    try {
      pipes = await Promise.all(dispatches.map((d) => this.pipelines.get(d.family, d.entry, d.constants)));
    } catch (e) {
      // A lost device makes compiles fail in the implementation's words: say DEVICE_LOST.
      this.checkAlive();
      throw e;
    }
    this.checkAlive();
    const dev = this.device;
    dev.pushErrorScope('out-of-memory');
    dev.pushErrorScope('validation');
    let validation: Promise<GPUError | null>;
    let oom: Promise<GPUError | null>;
    try {
      const ubuf = this.uniformBuffer(dispatches.length);
      const ubytes = new Uint8Array(dispatches.length * UNIFORM_SLOT);
      dispatches.forEach((d, i) => ubytes.set(new Uint8Array(d.uniforms), i * UNIFORM_SLOT));
      dev.queue.writeBuffer(ubuf, 0, ubytes);
      const enc = dev.createCommandEncoder({ label: `webgpu-loss:${label}` });
      before?.(enc);
      dispatches.forEach((d, i) => {
        const bg = dev.createBindGroup({
          label: `webgpu-loss:${label}:${d.family}`,
          layout: this.pipelines.layout(d.family).bgl,
          entries: [
            { binding: 0, resource: { buffer: ubuf, offset: i * UNIFORM_SLOT, size: d.uniforms.byteLength } },
            ...d.bindings.map((b, j) => ({ binding: j + 1, resource: { buffer: b.buffer, offset: b.offset, size: b.size } })),
          ],
        });
        const pass = enc.beginComputePass({ label: `webgpu-loss:${label}:${d.family}:${d.entry}` });
        pass.setPipeline(pipes[i]);
        pass.setBindGroup(0, bg);
        if (d.workgroups > 0) pass.dispatchWorkgroups(d.workgroups);
        pass.end();
      });
      after?.(enc);
      dev.queue.submit([enc.finish()]);
    } finally {
      // Always popped, so a throw above never leaves scopes on the device's stack.
      validation = dev.popErrorScope();
      oom = dev.popErrorScope();
    }
    const done = Promise.all([validation, oom]).then(([v, o]) => {
      if (o) throw new DeviceError('OUT_OF_MEMORY', `WebGPU ran out of memory in ${label}: ${o.message}`);
      if (v) throw new DeviceError('GPU_ERROR', `WebGPU reported a validation error in ${label}: ${v.message}`);
      // A device lost mid-call pops its scopes empty; say so rather than hand out dead buffers.
      this.checkAlive();
    });
    done.catch(() => {}); // surfaced through tensor.ready / read(), not as an unhandled rejection
    // Wrapped so that awaiting run() waits for the submit only, not for the GPU.
    return { done };
  }

  /**
   * The uniform buffer every call writes its dispatches' uniforms into, reused from call to call
   * (rather than one created and destroyed per call). Reuse is safe: queue.writeBuffer and submit
   * run in queue order, so a call's submit reads the bytes written just before it, whatever later
   * calls write. Grown when a call has more dispatches; not counted by stats() (like pipelines).
   */
  private uniformBuffer(dispatches: number): GPUBuffer {
    const need = Math.max(16, dispatches) * UNIFORM_SLOT;
    if (!this.ubuf || this.ubuf.size < need) {
      this.ubuf?.destroy(); // work already submitted keeps it alive until done
      this.ubuf = this.device.createBuffer({ label: 'webgpu-loss:uniforms', size: need, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    }
    return this.ubuf;
  }

  free(): void {
    this.ubuf?.destroy();
    this.ubuf = null;
  }
}
