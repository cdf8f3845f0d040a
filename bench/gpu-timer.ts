// GPU time of work the benchmark does not encode itself (a library call), taken from outside:
// an empty compute pass that writes a timestamp at its beginning is submitted just before the
// work, another that writes one at its end just after it. A queue runs submissions in order, so
// the span covers the work's GPU time plus the two empty passes (the floor, measured alone).

/** Marks the start and end of one measured call; the call submits its work between the two. */
export interface Bracket {
  begin(): void;
  end(): void;
}

export class GpuTimer implements Bracket {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly staging: GPUBuffer;

  /** Undefined where the device lacks `timestamp-query`. */
  static create(device: GPUDevice): GpuTimer | undefined {
    return device.features.has('timestamp-query') ? new GpuTimer(device) : undefined;
  }

  private constructor(private readonly device: GPUDevice) {
    this.querySet = device.createQuerySet({ label: 'bench:timer', type: 'timestamp', count: 2 });
    this.resolved = device.createBuffer({ label: 'bench:timer:resolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.staging = device.createBuffer({ label: 'bench:timer:staging', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  begin(): void {
    this.mark({ querySet: this.querySet, beginningOfPassWriteIndex: 0 });
  }

  /** Also resolves the pair into the staging buffer, so the call's own readback waits for it. */
  end(): void {
    this.mark({ querySet: this.querySet, endOfPassWriteIndex: 1 }, (enc) => {
      enc.resolveQuerySet(this.querySet, 0, 2, this.resolved, 0);
      enc.copyBufferToBuffer(this.resolved, 0, this.staging, 0, 16);
    });
  }

  /** The last bracket's span in ms (after the call's readback, so no wait is timed); NaN when
   *  the clock went backwards (the spec allows it: a reset, a clock switch). */
  async read(): Promise<number> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigUint64Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    return t1 >= t0 ? Number(t1 - t0) / 1e6 : NaN;
  }

  /** The median span of `n` empty brackets: what every span includes besides the work. */
  async floor(n: number): Promise<number> {
    const spans: number[] = [];
    for (let i = 0; i < n; i++) {
      this.begin();
      this.end();
      const s = await this.read();
      if (Number.isFinite(s)) spans.push(s);
    }
    spans.sort((a, b) => a - b);
    return spans.length ? spans[Math.floor(spans.length / 2)] : NaN;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolved.destroy();
    this.staging.destroy();
  }

  private mark(timestampWrites: GPUComputePassTimestampWrites, after?: (enc: GPUCommandEncoder) => void): void {
    const enc = this.device.createCommandEncoder({ label: 'bench:timer' });
    enc.beginComputePass({ label: 'bench:timer', timestampWrites }).end();
    after?.(enc);
    this.device.queue.submit([enc.finish()]);
  }
}
