// The README's own ```ts blocks, extracted from README.md at test time and run in the page against
// the library (test/util/readme.ts); the figures and results they claim are checked on the values
// they produced, so README and test cannot drift apart. Each area's examples also run in a loop
// on one shared library object: what the library and TF.js hold must stay flat from pass to pass.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useGpuPage } from './harness';
import type { ReadmeLoop, ReadmeRun } from './page/readme';
import * as ref from '../../src/reference/index';
import { mulberry32, randomLabels, randomLogits } from '../../src/reference/index';
import { assertClose } from '../util/allclose';
import { FIXTURES, ORT_FIXTURES, TFJS_FIXTURES } from '../util/readme-fixtures';
import { areaOf, blocksOf, readmeProgram, NO_RUN } from '../util/readme';
import { TOL } from '../util/tolerances';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const program = readmeProgram(README);
const tfjsProgram = readmeProgram(README, 'tfjs', TFJS_FIXTURES);
const ortProgram = readmeProgram(README, 'onnxruntime', ORT_FIXTURES);
const gpu = useGpuPage();
const tfjsPage = useGpuPage('tfjs');
const ortPage = useGpuPage('onnxruntime');
/**
 * Passes of each loop: the first warms pipelines and caches, the second must hold exactly what it
 * held (a leak or a missed cache shows as a difference; more passes only repeat the comparison).
 */
const PASSES = 2;

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
  it('runs every ts block in its area, or counts it as marked no-run', () => {
    const ts = blocksOf(README).filter((b) => b.lang === 'ts');
    const areas = new Set(ts.map(areaOf));
    expect([...areas].sort()).toEqual(['library', 'node', 'onnxruntime', 'tfjs']);
    const ran = ['library', 'tfjs', 'onnxruntime', 'node'].map((a) => readmeProgram(README, a, a === 'tfjs' ? TFJS_FIXTURES : a === 'onnxruntime' ? ORT_FIXTURES : FIXTURES).run.length);
    expect(ran.reduce((a, b) => a + b) + program.skipped.length).toBe(ts.length);
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
  it('quick start: mean loss and gradient, as printed, against the oracle; the result freed', () => {
    const q = varsUnder('Quick start');
    const want = ref.crossEntropy(q.logits as Host, q.labels as Host, { grad: true });
    const [printedLoss, printedGrad] = r.printed.filter((p) => p.line === program.run[0].line).map((p) => p.values[0] as number | number[]);
    assertClose([printedLoss as number], want.loss, TOL.fewTerms, 'loss');
    assertClose(printedGrad as number[], want.grad!, TOL.fewTerms, 'grad');
    expect(q.out).toMatchObject({ loss: 'a disposed GpuTensor', grad: 'a disposed GpuTensor' });
  });
  it("the oracle's quick start gives the same loss", () => {
    const o = program.run[1];
    expect(o.heading).toBe('Quick start');
    const printedLoss = r.printed.find((p) => p.line === program.run[0].line)!.values[0] as number;
    assertClose([printedLoss], loss(r.vars[o.line].ref), TOL.fewTerms, 'loss');
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
  it('focal examples against the oracle', () => {
    const ops = varsUnder('Operations');
    const q = varsUnder('Quick start');
    const b = ref.binaryFocalLoss(ops.scores as Host, ops.targets01 as Host, { reduction: 'sum', grad: true });
    assertClose(loss(ops.bfl), b.loss, TOL.fewTerms, 'binary focal');
    assertClose((ops.bfl as { grad: number[] }).grad, b.grad!, TOL.fewTerms, 'binary focal grad');
    const f = ref.focalLoss(q.logits as Host, q.labels as Host, { gamma: 2, alpha: [0.25, 0.5, 0.25], grad: true });
    assertClose(loss(ops.fl), f.loss, TOL.fewTerms, 'focal');
    assertClose((ops.fl as { grad: number[] }).grad, f.grad!, TOL.fewTerms, 'focal grad');
  });
  it('fused linear cross-entropy: loss and dH against the oracle', () => {
    const lin = varsUnder('Fused linear cross-entropy');
    const [n, d, v] = [lin.N, lin.D, lin.V] as number[];
    const want = ref.linearCrossEntropy({ data: lin.hidden as number[], shape: [n, d] }, { data: lin.classifier as number[], shape: [v, d] },
      { data: lin.tokens as number[], shape: [n] }, { bias: { data: lin.bias as number[], shape: [v] }, labelSmoothing: 0.1, zLoss: 1e-4, grad: true });
    assertClose([lin.loss as number], want.loss, TOL.linearLoss, 'loss');
    assertClose(lin.dH as number[], want.gradHidden!, TOL.linearGrad(want.gradHidden!), 'dH');
  });
  it('distillation through the head: loss and dW against the oracle, in chunks of 2 rows; dH with a teacher head', () => {
    const b = program.run.find((x) => x.heading.startsWith('Distillation through the head'));
    if (!b) throw new Error('no ts block runs under the linearJsDivergence heading');
    const kd = varsUnder(b.heading);
    const [n, d, v] = [kd.N, kd.D, kd.V] as number[];
    const want = ref.linearJsDivergence({ data: kd.hidden as number[], shape: [n, d] }, { data: kd.classifier as number[], shape: [v, d] },
      kd.teacherOut as Host, { beta: 0.5, temperature: 2, bias: { data: kd.bias as number[], shape: [v] }, grad: true });
    expect(kd.kdChunkRows).toBe(2);
    assertClose([kd.kdLoss as number], want.loss, TOL.linearLoss, 'loss');
    assertClose(kd.kdGradWeight as number[], want.gradWeight!, TOL.linearGrad(want.gradWeight!), 'dW');
    const wantHead = ref.linearJsDivergence({ data: kd.hidden as number[], shape: [n, d] }, { data: kd.classifier as number[], shape: [v, d] },
      { hidden: kd.teacherHidden as Host, weight: kd.teacherHead as Host }, { beta: 0.5, temperature: 2, grad: true, frozenHead: true });
    assertClose(kd.kdHeadGradHidden as number[], wantHead.gradHidden!, TOL.linearGrad(wantHead.gradHidden!), 'dH, teacher head');
  });
  it('no WebGPU: with WebGPU here, createLoss gives the GPU and warns of nothing', () => {
    expect(varsUnder('No WebGPU').wl).toBe('a WebGPULoss');
    const b = program.run.find((x) => x.heading === 'No WebGPU')!;
    expect(r.printed.filter((p) => p.line === b.line)).toEqual([]);
  });
});

/** What each pass left held: the second pass the same as the first (which compiled and cached). */
function expectFlat(l: ReadmeLoop): void {
  expect(l.tensors.length).toBe(PASSES);
  expect(l.pipelines[1], `no pipeline compiled again: ${JSON.stringify(l)}`).toBe(l.pipelines[0]);
  expect(l.bytes[1], `bytes flat: ${JSON.stringify(l)}`).toBe(l.bytes[0]);
  expect(l.tensors[1], 'the examples free every result they make').toBe(l.tensors[0]);
  if (l.tfTensors) expect(l.tfTensors[1], 'the TF.js examples free every TF.js tensor they make').toBe(l.tfTensors[0]);
}

describe('README examples leave nothing behind', () => {
  it(`the library's examples, ${PASSES} passes on one WebGPULoss`, async () => expectFlat(await gpu.call<ReadmeLoop>('readmeLoop', program.program, PASSES)), 300_000);
  it(`the TF.js example, ${PASSES} passes on one TfjsLoss: library and TF.js tensor counts flat`, async () => {
    const l = await tfjsPage.call<ReadmeLoop>('readmeLoop', tfjsProgram.program, PASSES);
    expectFlat(l);
    expect(l.tfTensors).toBeDefined();
  }, 300_000);
  it(`the ONNX Runtime example, ${PASSES} passes on one OrtLoss`, async () => expectFlat(await ortPage.call<ReadmeLoop>('readmeLoop', ortProgram.program, PASSES)), 300_000);
});

describe('README examples of the TF.js and ONNX Runtime adapters', () => {
  it('TF.js: the loss printed matches the oracle on the same tensors, and training lowers it', async () => {
    const t = await tfjsPage.call<ReadmeRun>('readme', tfjsProgram.program);
    const [line] = tfjsProgram.run.map((b) => b.line);
    const printed = t.printed.filter((p) => p.line === line).map((p) => p.values);
    expect(printed.length).toBe(11); // the loss, then every 10th of 100 steps
    // The page's inputs, made as test/gpu/page/tfjs.ts makes them: the head's weights, then logits and labels.
    const rng = mulberry32(8);
    randomLogits(rng, 5, 3, 0.5);
    const logits = { data: randomLogits(rng, 4, 3, 2), shape: [4, 3] };
    const labels = { data: randomLabels(rng, 4, 3), shape: [4] };
    assertClose([printed[0][0] as number], ref.crossEntropy(logits, labels, { labelSmoothing: 0.1 }).loss, TOL.fewTerms, 'printed loss');
    const steps = printed.slice(1).map((v) => v[1] as number);
    expect(steps[steps.length - 1]).toBeLessThan(steps[0]);
  }, 300_000);
  it('ONNX Runtime: per-row losses of the model outputs, read without the logits', async () => {
    const o = await ortPage.call<ReadmeRun>('readme', ortProgram.program);
    const v = o.vars[ortProgram.run[0].line];
    const losses = v.losses as number[];
    expect(losses.length).toBe(6);
    for (const x of losses) expect(Number.isFinite(x) && x > 0).toBe(true);
  }, 300_000);
});
