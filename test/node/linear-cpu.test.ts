// The CPU fallback's linearCrossEntropy with the fine-tuning options: the oracle's values as
// float32 / int32 tensors of the GPU's shapes, and a frozen head's missing gradients.
import { describe, expect, it } from 'vitest';
import { CpuLoss } from '../../src/index';
import * as ref from '../../src/reference/index';
import { mulberry32, normal, randomLabels } from '../../src/reference/index';

describe('CpuLoss.linearCrossEntropy: frozenHead, extras, shift, memoryBudget', () => {
  it('returns the oracle\'s outputs in the GPU\'s shapes and dtypes', async () => {
    const rng = mulberry32(71);
    const [N, D, V] = [12, 5, 9];
    const hidden = { data: Float32Array.from({ length: N * D }, () => normal(rng)), shape: [N, D] };
    const weight = { data: Float32Array.from({ length: V * D }, () => normal(rng) * 0.5), shape: [V, D] };
    const bias = { data: Float32Array.from({ length: V }, () => normal(rng) * 0.5), shape: [V] };
    const labels = { data: randomLabels(rng, N, V), shape: [N] };
    labels.data[3] = -100;
    const opts = { grad: true, frozenHead: true, extras: true, shift: 1, sequenceLength: 4, labelSmoothing: 0.1, softcap: 5, zLoss: 1e-3 } as const;
    const cpu = new CpuLoss('test');
    const out = await cpu.linearCrossEntropy(hidden, weight, labels, { ...opts, bias, memoryBudget: 4096 });
    const want = ref.linearCrossEntropy(hidden, weight, labels, { ...opts, bias });
    expect(out.gradWeight).toBeUndefined();
    expect(out.gradBias).toBeUndefined();
    expect(Array.from(await out.loss.read())).toEqual(Array.from(Float32Array.from(want.loss)));
    expect(Array.from(await out.gradHidden!.read())).toEqual(Array.from(Float32Array.from(want.gradHidden!)));
    for (const name of ['labelLogProb', 'lse', 'entropy'] as const) {
      expect(out[name]!.shape).toEqual([N]);
      expect(out[name]!.dtype).toBe('float32');
      expect(Array.from(await out[name]!.read()), name).toEqual(Array.from(Float32Array.from(want[name]!)));
    }
    for (const name of ['argmax', 'correct'] as const) {
      expect(out[name]!.dtype).toBe('int32');
      expect(Array.from(await out[name]!.read()), name).toEqual(Array.from(want[name]!));
    }
    // The last row of each sequence of 4 is ignored: no label, so labelLogProb and correct are 0.
    const lp = await out.labelLogProb!.read();
    for (const r of [3, 7, 11]) expect(lp[r]).toBe(0);
    cpu.dispose();
  });
});
