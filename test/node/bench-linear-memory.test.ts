// bench:linear's peak-memory tracker (bench/peak-memory.ts) on a stand-in device that counts
// nothing itself, and the ratios it prints (bench/linear-ratios.ts): what is counted, what is not,
// and that the device is left as it was found.
import { describe, it, expect } from 'vitest';
import { peakDuring, type BufferMaker } from '../../bench/peak-memory';
import { linearRatios } from '../../bench/linear-ratios';

/** A device whose buffers only know their size and how often destroy() ran on them. */
function fakeDevice() {
  const made: { size: number; destroyed: number; destroy(): void }[] = [];
  const device: BufferMaker = {
    createBuffer(d: GPUBufferDescriptor) {
      const b = { size: d.size, destroyed: 0, destroy() { this.destroyed++; } };
      made.push(b);
      return b as unknown as GPUBuffer;
    },
  };
  return { device, made };
}

const mk = (device: BufferMaker, size: number) => device.createBuffer({ size, usage: 0 });

describe('peakDuring', () => {
  it('records the most bytes alive at once, not the sum made', async () => {
    const { device } = fakeDevice();
    const r = await peakDuring(device, async () => {
      const a = mk(device, 100);
      const b = mk(device, 300);
      a.destroy();
      const c = mk(device, 150); // 300 + 150 alive: below the 400 before
      b.destroy();
      c.destroy();
      const d = mk(device, 50); // left alive
      await Promise.resolve();
      return d;
    });
    expect(r.peakBytes).toBe(450);
    expect(r.createdBytes).toBe(600);
    expect(r.buffers).toBe(4);
    expect(r.largestBuffer).toBe(300);
    expect(r.liveBytesAfter).toBe(50);
  });

  it('counts a buffer destroyed twice once, and ignores buffers made before the call', async () => {
    const { device, made } = fakeDevice();
    const input = mk(device, 1000);
    const r = await peakDuring(device, async () => {
      input.destroy(); // an input freed during the call does not lower the count
      const a = mk(device, 200);
      a.destroy();
      a.destroy();
      mk(device, 120);
    });
    expect(r.peakBytes).toBe(200);
    expect(r.liveBytesAfter).toBe(120);
    expect(made[1].destroyed).toBe(2); // the real destroy still runs each time
  });

  it('restores the device, also when the call throws, and stops counting after', async () => {
    const { device } = fakeDevice();
    const original = device.createBuffer;
    await expect(peakDuring(device, async () => {
      mk(device, 10);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(device.createBuffer).toBe(original);
    expect(Object.prototype.hasOwnProperty.call(device, 'createBuffer')).toBe(true);
    // A tracker that has ended counts nothing made after it, while an enclosing one still runs.
    let inner: Awaited<ReturnType<typeof peakDuring>> | undefined;
    const outer = await peakDuring(device, async () => {
      inner = await peakDuring(device, async () => mk(device, 30));
      mk(device, 500);
      return 0;
    });
    expect(inner!.peakBytes).toBe(30);
    expect(outer.peakBytes).toBe(530);
    expect(device.createBuffer).toBe(original);
  });

  it('restores a method that lives on the prototype (as on a GPUDevice) by removing its own hook', async () => {
    class Proto { createBuffer(d: GPUBufferDescriptor) { return { size: d.size, destroy() {} } as unknown as GPUBuffer; } }
    const device = new Proto();
    const r = await peakDuring(device, async () => mk(device, 64));
    expect(r.peakBytes).toBe(64);
    expect(Object.prototype.hasOwnProperty.call(device, 'createBuffer')).toBe(false);
  });

  it('nests: an inner call sees its own buffers, the outer one all of them', async () => {
    const { device } = fakeDevice();
    let inner = 0;
    const outer = await peakDuring(device, async () => {
      mk(device, 100);
      inner = (await peakDuring(device, async () => {
        mk(device, 40).destroy();
      })).peakBytes;
      mk(device, 10);
    });
    expect(inner).toBe(40);
    expect(outer.peakBytes).toBe(140);
    expect(outer.liveBytesAfter).toBe(110);
  });
});

describe('linearRatios', () => {
  it('sets the fused rows against the unfused and TF.js rows of their kind', () => {
    const rows = [
      { impl: 'fused', medianMs: 50, peakBytes: 1000 },
      { impl: 'unfused', medianMs: 100, peakBytes: 8000 },
      { impl: 'tfjs-webgpu', medianMs: 25, peakBytes: 20000 },
      { impl: 'fused-frozen', medianMs: 30, peakBytes: 500 },
      { impl: 'unfused-frozen', medianMs: 60, peakBytes: 6000 },
    ];
    const r = linearRatios(rows);
    expect(r.trainable.vsUnfused).toEqual({ time: 0.5, peak: 8 });
    expect(r.trainable.vsTfjs).toEqual({ time: 2, peak: 20 });
    expect(r.frozen.vsUnfused).toEqual({ time: 0.5, peak: 12 });
    expect(r.frozen.vsTfjs).toBeUndefined(); // its row was not run
  });

  it('leaves out what a row lacks', () => {
    const r = linearRatios([{ impl: 'fused', medianMs: 50 }, { impl: 'unfused', medianMs: 100, peakBytes: 10 }]);
    expect(r.trainable.vsUnfused).toEqual({ time: 0.5 });
    expect(r.frozen).toEqual({});
  });
});
