// The README's examples run as written and give what the README and the seeds say.
import { it, expect } from 'vitest';
import { useGpuPage } from './harness';
import { crossEntropy, softmax, klDivergence, binaryCrossEntropy } from '../../src/reference/index';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

const gpu = useGpuPage();
let r: Record<string, number[]>;

const logits = { data: [2, 1, 0.1, 0.5, 2.5, 0.3], shape: [2, 3] };
const labels = { data: [0, 1], shape: [2] };
const F32 = TOL.fewTerms;

it('runs every README example on the GPU', async () => {
  r = await gpu.call('readmeExamples');
  expect(Object.keys(r).length).toBe(10);
});
it('quick start: mean loss and gradient', () => {
  const ref = crossEntropy(logits, labels, { grad: true });
  assertClose(r.quickLoss, ref.loss, F32, 'loss');
  assertClose(r.quickGrad, ref.grad!, F32, 'grad');
});
it('smoothing + weights in bits', () =>
  assertClose(r.smoothedBits, crossEntropy(logits, labels, { labelSmoothing: 0.1, weight: [1, 2, 1], base: 2 }).loss, F32, 'bits'));
it('the seeds: cat/dog/horse/fox against cat is 1.32 bits, the car example 0.3677 bits', () => {
  assertClose(r.catBits, [1.32], TOL.quoted(2), 'cat, quoted');
  assertClose(r.catBits, [-Math.log2(0.4)], F32, 'cat');
  assertClose(r.carBits, [0.3677], TOL.quoted(4), 'car, quoted');
});
it('the seeds: the 75%/25% forecast has entropy 0.81 bits', () => assertClose(r.forecastBits, [0.8113], TOL.quoted(4), 'forecast'));
it('extras: both rows hit their label', () => expect(r.correct).toEqual([1, 1]));
it('softmax with temperature 2', () => assertClose(r.softmaxT2, softmax(logits, { temperature: 2 }), F32, 'softmax'));
it('KL and BCE examples', () => {
  assertClose(r.kl, klDivergence(logits, { data: [0.7, 0.2, 0.1, 0.1, 0.8, 0.1], shape: [2, 3] }).loss, F32, 'kl');
  assertClose(r.bce, binaryCrossEntropy(logits, { data: [1, 0, 0, 0, 1, 0], shape: [2, 3] }, { posWeight: 3 }).loss, F32, 'bce');
});
