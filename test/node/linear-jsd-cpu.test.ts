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

  it('a teacher head gives what its logits, formed by hand, give', async () => {
    const rng = mulberry32(8);
    const [N, D, V, DT] = [4, 3, 6, 5];
    const f32 = (n: number, s: number) => Float32Array.from({ length: n }, () => normal(rng) * s);
    const hidden = { data: f32(N * D, 1), shape: [N, D] };
    const weight = { data: f32(V * D, 0.5), shape: [V, D] };
    const th = { data: f32(N * DT, 1), shape: [N, DT] };
    const tw = { data: f32(V * DT, 0.5), shape: [V, DT] };
    const tb = { data: f32(V, 0.5), shape: [V] };
    const logits = new Float64Array(N * V);
    for (let r = 0; r < N; r++) for (let c = 0; c < V; c++) {
      logits[r * V + c] = tb.data[c];
      for (let k = 0; k < DT; k++) logits[r * V + c] += th.data[r * DT + k] * tw.data[c * DT + k];
    }
    const opts = { beta: 0.5, temperature: 2, grad: true, reduction: 'none' } as const;
    const byLogits = ref.linearJsDivergence(hidden, weight, { data: logits, shape: [N, V] }, opts);
    const byHead = ref.linearJsDivergence(hidden, weight, { hidden: th, weight: tw, bias: tb }, opts);
    expect(Array.from(byHead.loss)).toEqual(Array.from(byLogits.loss));
    expect(Array.from(byHead.gradHidden!)).toEqual(Array.from(byLogits.gradHidden!));
    const cpu = new CpuLoss('test');
    const out = await cpu.linearJsDivergence(hidden, weight, { hidden: th, weight: tw, bias: tb }, opts);
    expect(Array.from(await out.loss.read())).toEqual(Array.from(Float32Array.from(byHead.loss)));
    await expect(cpu.linearJsDivergence(hidden, weight, { hidden: th, weight: { data: tw.data, shape: [V, DT - 1] } }, opts)).rejects.toThrow(/^teacher\.weight: /);
    cpu.dispose();
  });
});
