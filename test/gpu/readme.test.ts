// The README's own ```ts blocks, extracted from README.md at test time and run in the page against
// the library (test/util/readme.ts); the figures and results they claim are checked on the values
// they produced, so README and test cannot drift apart.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useGpuPage } from './harness';
import type { ReadmeRun } from './page/readme';
import * as ref from '../../src/reference/index';
import { assertClose } from '../util/allclose';
import { FIXTURES } from '../util/readme-fixtures';
import { blocksOf, readmeProgram, NO_RUN } from '../util/readme';
import { TOL } from '../util/tolerances';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const program = readmeProgram(README);
const gpu = useGpuPage();

type Vars = Record<string, unknown>;
type Host = { data: ArrayLike<number>; shape: number[] };
let r: ReadmeRun;
/** The examples' names as they stand after the first block under `heading` ran. */
const varsUnder = (heading: string): Vars => {
  const b = program.run.find((x) => x.heading === heading);
  if (!b) throw new Error(`no ts block runs under '${heading}'`);
  return Object.assign({}, ...program.run.filter((x) => x.line <= b.line).map((x) => r.vars[x.line]));
};
const loss = (v: unknown) => (v as { loss: number[] }).loss;

beforeAll(async () => {
  r = await gpu.call<ReadmeRun>('readme', program.program);
});

describe('README blocks', () => {
  it('runs every ts block, or counts it as marked no-run', () => {
    const ts = blocksOf(README).filter((b) => b.lang === 'ts');
    expect(program.run.length + program.skipped.length).toBe(ts.length);
    expect(program.skipped.every((b) => b.flags.includes(NO_RUN))).toBe(true);
    for (const b of program.run) expect(r.vars[b.line], `block at line ${b.line} ran to its end`).toBeDefined();
    console.log(`[readme] ${program.run.length} ts blocks run, ${program.skipped.length} marked ${NO_RUN}: ` +
      program.skipped.map((b) => `line ${b.line} (${b.heading})`).join(', '));
    expect(program.run.length).toBeGreaterThanOrEqual(5);
  });

  it('declares no name a fixture provides', () => {
    for (const [line, names] of program.declared) for (const n of names) expect(n in FIXTURES, `README.md:${line} declares ${n}`).toBe(false);
  });
});

describe('README examples give what the README and the seeds say', () => {
  it('quick start: mean loss and gradient, as printed, against the oracle', () => {
    const q = varsUnder('Quick start');
    const want = ref.crossEntropy(q.logits as Host, q.labels as Host, { grad: true });
    assertClose(loss(q.out), want.loss, TOL.fewTerms, 'loss');
    assertClose((q.out as { grad: number[] }).grad, want.grad!, TOL.fewTerms, 'grad');
    const printed = r.printed.filter((p) => p.line === program.run[0].line).map((p) => p.values[0] as number | number[]);
    expect(printed).toEqual([loss(q.out)[0], (q.out as { grad: number[] }).grad]);
  });
  it("the oracle's quick start gives the same loss", () => {
    const o = program.run[1];
    expect(o.heading).toBe('Quick start');
    assertClose(loss(varsUnder('Quick start').out), loss(r.vars[o.line].ref), TOL.fewTerms, 'loss');
  });
  it('smoothing + weights in bits', () => {
    const q = varsUnder('Quick start');
    const want = ref.crossEntropy(q.logits as Host, q.labels as Host, { labelSmoothing: 0.1, weight: [1, 2, 1], base: 2 });
    assertClose(loss(varsUnder('Operations').a), want.loss, TOL.fewTerms, 'bits');
  });
  it('the seeds: cat/dog/horse/fox against cat is 1.32 bits, the car example 0.3677 bits', () => {
    const ops = varsUnder('Operations');
    assertClose(loss(ops.c), [1.32], TOL.quoted(2), 'cat, quoted');
    assertClose(loss(ops.c), [-Math.log2(0.4)], TOL.fewTerms, 'cat');
    assertClose(loss(ops.car), [0.3677], TOL.quoted(4), 'car, quoted');
  });
  it('float16 logits: the loss and float32 gradient of the exact float16 values', () => {
    const v = varsUnder('float16 and bfloat16 inputs');
    const want = ref.crossEntropy(v.halfLogits as Host & { dtype: 'float16' }, v.labels as Host, { grad: true });
    assertClose(loss(v.halfOut), want.loss, TOL.loss, 'float16 loss');
    assertClose(v.halfGrad as number[], want.grad!, TOL.grad(1 / 2), 'float16 grad');
  });
  it('the seeds: the 75%/25% forecast has entropy 0.8113 bits', () => assertClose(loss(varsUnder('Operations').h), [0.8113], TOL.quoted(4), 'forecast'));
  it('extras: both rows hit their label', () => expect(Array.from(varsUnder('Operations').hits as number[])).toEqual([1, 1]));
  it('softmax with temperature 2', () => {
    const q = varsUnder('Quick start');
    assertClose(varsUnder('Operations').p as number[], ref.softmax(q.logits as Host, { temperature: 2 }), TOL.fewTerms, 'softmax');
  });
  it('dense targets, KL and BCE examples', () => {
    const ops = varsUnder('Operations');
    const teacher = { data: ops.teacherProbs as number[], shape: [ops.rows as number, ops.V as number] };
    const student = ops.studentLogits as Host;
    assertClose(loss(ops.b), ref.crossEntropy(student, teacher).loss, TOL.fewTerms, 'dense');
    assertClose(loss(ops.kl), ref.klDivergence(student, teacher).loss, TOL.fewTerms, 'kl');
    assertClose(loss(ops.bce), ref.binaryCrossEntropy(ops.scores as Host, ops.targets01 as Host, { posWeight: 3 }).loss, TOL.fewTerms, 'bce');
  });
  it('fused linear cross-entropy: loss and dH against the oracle', () => {
    const lin = varsUnder('Fused linear cross-entropy');
    const [n, d, v] = [lin.N, lin.D, lin.V] as number[];
    const want = ref.linearCrossEntropy({ data: lin.hidden as number[], shape: [n, d] }, { data: lin.classifier as number[], shape: [v, d] },
      { data: lin.tokens as number[], shape: [n] }, { bias: { data: lin.bias as number[], shape: [v] }, labelSmoothing: 0.1, zLoss: 1e-4, grad: true });
    assertClose([lin.loss as number], want.loss, TOL.linearLoss, 'loss');
    assertClose(lin.dH as number[], want.gradHidden!, TOL.linearGrad(want.gradHidden!), 'dH');
  });
  it('no WebGPU: with WebGPU here, createLoss gives the GPU and warns of nothing', () => {
    expect(varsUnder('No WebGPU').wl).toBe('a WebGPULoss');
    const b = program.run.find((x) => x.heading === 'No WebGPU')!;
    expect(r.printed.filter((p) => p.line === b.line)).toEqual([]);
  });
});
