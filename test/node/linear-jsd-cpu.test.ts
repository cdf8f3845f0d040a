// The CPU fallback's linearJsDivergence: the oracle's values as float32 tensors of the GPU's
// shapes, and a frozen head's missing gradients.
import { describe, expect, it } from 'vitest';
import { CpuLoss } from '../../src/index';
import * as ref from '../../src/reference/index';
import { mulberry32, normal } from '../../src/reference/index';

describe('CpuLoss.linearJsDivergence', () => {
  it('returns the oracle\'s outputs in the GPU\'s shapes', async () => {
    const rng = mulberry32(5);
    const [N, D, V] = [5, 4, 7];
    const f32 = (n: number, s: number) => Float32Array.from({ length: n }, () => normal(rng) * s);
    const hidden = { data: f32(N * D, 1), shape: [N, D] };
    const weight = { data: f32(V * D, 0.5), shape: [V, D] };
    const bias = { data: f32(V, 0.5), shape: [V] };
    const teacher = { data: f32(N * V, 2), shape: [N, V] };
    const labels = { data: new Int32Array([1, -100, 0, 2, 3]), shape: [N] };
    const opts = { beta: 0.25, temperature: 2, grad: true, labels } as const;
    const cpu = new CpuLoss('test');
    const out = await cpu.linearJsDivergence(hidden, weight, teacher, { ...opts, bias });
    const want = ref.linearJsDivergence(hidden, weight, teacher, { ...opts, bias });
    expect(Array.from(await out.loss.read())).toEqual(Array.from(Float32Array.from(want.loss)));
    expect(out.gradHidden!.shape).toEqual([N, D]);
    expect(out.gradWeight!.shape).toEqual([V, D]);
    expect(out.gradBias!.shape).toEqual([V]);
    expect(Array.from(await out.gradWeight!.read())).toEqual(Array.from(Float32Array.from(want.gradWeight!)));
    expect(Array.from(await out.gradBias!.read())).toEqual(Array.from(Float32Array.from(want.gradBias!)));
    const frozen = await cpu.linearJsDivergence(hidden, weight, teacher, { ...opts, bias, frozenHead: true });
    expect(frozen.gradWeight).toBeUndefined();
    expect(frozen.gradBias).toBeUndefined();
    expect(Array.from(await frozen.gradHidden!.read())).toEqual(Array.from(Float32Array.from(want.gradHidden!)));
    await expect(cpu.linearJsDivergence(hidden, weight, teacher, { beta: -1 })).rejects.toThrow(/options\.beta/);
    cpu.dispose();
  });
});
