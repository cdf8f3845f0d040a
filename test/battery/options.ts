// Bad options: values of the wrong type or out of range for every option of every operation,
// option names the operation does not have (a typo names the closest), and options that are not
// an object at all.
import { option, OK, type Case } from './case';
import { OPERATIONS, VALID, X, Y } from './args';
import { T } from './make';

const withOptions = (op: string, opts: unknown) => [...VALID[op].slice(0, -1), opts];

// Values wrong for any option of a kind.
const ENUM = ['bogus', '', 1, NaN, null, true, T.symbol('s'), ['mean'], {}];
const BOOL = ['yes', 'true', 1, 0, NaN, null, T.symbol('b'), [], {}];
const NOT_NUMBER = ['1', null, true, T.bigint(1), [1], {}, T.symbol('n'), T.fn()];
const CLASS_WEIGHTS = [3, [1, 2], [1, 2, 3, 4], [1, -1, 1], [1, NaN, 1], [1, Infinity, 1], 'abc', null, {}, T.typed('BigInt64Array', [1, 1, 1]),
  T.sparse(3, { 0: 1, 2: 1 }), [1, '1', 1]];
const COLUMN_WEIGHTS = [-1, NaN, Infinity, -Infinity, [1, 2], [1, -1, 1], [1, NaN, 1], 'abc', null, true, {}, T.typed('BigInt64Array', [1, 1, 1])];

// operation -> option -> values it must refuse
const BAD: Record<string, Record<string, unknown[]>> = {
  softmax: { temperature: [0, -0, -1, NaN, Infinity, -Infinity, ...NOT_NUMBER] },
  crossEntropy: {
    from: [...ENUM, 'logit', 'probabilities'],
    reduction: [...ENUM, 'batchmean', 'Mean', 'mean ', 'avg'],
    weight: CLASS_WEIGHTS,
    ignoreIndex: [1.5, NaN, Infinity, '-100', null, true, T.bigint(-100)],
    allIgnored: [...ENUM, 'skip'],
    labelSmoothing: [-0.1, 1.5, NaN, Infinity, ...NOT_NUMBER],
    base: [...ENUM, 10, '2', 'E', Math.E, 2.0000001],
    zLoss: [-1, -1e-30, NaN, Infinity, ...NOT_NUMBER],
    softcap: [0, -0, -2, NaN, Infinity, ...NOT_NUMBER],
    epsilon: [0, -1e-7, 0.5, 1, NaN, Infinity, ...NOT_NUMBER],
    normalize: BOOL,
    grad: BOOL,
    extras: BOOL,
    topK: [0, -1, 1.5, NaN, Infinity, 2 ** 31, ...NOT_NUMBER],
  },
  binaryCrossEntropy: {
    from: ENUM,
    reduction: [...ENUM, 'batchmean'],
    posWeight: COLUMN_WEIGHTS,
    weight: COLUMN_WEIGHTS,
    epsilon: [0, 0.5, NaN, ...NOT_NUMBER],
    base: [...ENUM, 10],
    grad: BOOL,
  },
  entropy: { from: ENUM, reduction: ENUM, base: [...ENUM, 10], epsilon: [0, -1, 0.5, NaN, ...NOT_NUMBER], grad: BOOL },
  klDivergence: { from: ENUM, targetFrom: [...ENUM, 'labels'], reduction: [...ENUM, 'batchmean'], base: [...ENUM, 10], epsilon: [0, 0.5, NaN, ...NOT_NUMBER], grad: BOOL },
  linearCrossEntropy: {
    reduction: ENUM,
    weight: CLASS_WEIGHTS,
    ignoreIndex: [1.5, NaN, '-100', null],
    allIgnored: ENUM,
    labelSmoothing: [-0.1, 1.5, NaN, ...NOT_NUMBER],
    base: [...ENUM, 10],
    zLoss: [-1, NaN, ...NOT_NUMBER],
    softcap: [0, -2, NaN, ...NOT_NUMBER],
    epsilon: [0, 0.5, NaN, 1e-7],
    grad: BOOL,
    // crossEntropy's options that need explicit probabilities or logits per row are refused.
    from: ['probs', ...ENUM],
    extras: BOOL,
    normalize: [true, 'yes'],
    topK: [1, 5],
    frozenHead: BOOL,
    shift: [2, -1, 0.5, true, '1', null, NaN],
    // Without shift: 1 every value is refused, with it only a bad one (the linear combos below).
    sequenceLength: [2, 1],
    memoryBudget: [0, -1, 1.5, NaN, Infinity, 2 ** 53, ...NOT_NUMBER],
    // A threshold in (0, 1) representable in float32, 'auto' or false; without grad every value is refused (the combos below).
    gradFilter: [0, -1, 1, 1.5, 1e-50, NaN, Infinity, 'on', 'auto', 2 ** -12, ...NOT_NUMBER],
  },
  focalLoss: {
    gamma: [-1, -1e-30, NaN, Infinity, 1e39, ...NOT_NUMBER],
    alpha: [-1, NaN, Infinity, 1e39, [1, 2], [1, -1, 1], [1, NaN, 1], 'abc', null, {}, T.typed('BigInt64Array', [1, 1, 1]), [1, '1', 1]],
    ignoreIndex: [1.5, NaN, '-100', null],
    reduction: [...ENUM, 'batchmean'],
    base: [...ENUM, 10],
    grad: BOOL,
  },
  binaryFocalLoss: {
    alpha: [1.5, NaN, Infinity, -Infinity, -1e39, 1e-40, [0.25], ...NOT_NUMBER],
    gamma: [-1, NaN, Infinity, 1e39, ...NOT_NUMBER],
    reduction: ENUM,
    base: [...ENUM, 2.5],
    grad: BOOL,
  },
  jsDivergence: {
    beta: [-0.1, 1.5, 1e-300, NaN, Infinity, ...NOT_NUMBER],
    temperature: [0, -0, -1, 1e-300, 1e300, NaN, Infinity, ...NOT_NUMBER],
    ignoreIndex: [1.5, NaN, '-100', null, 2 ** 31],
    allIgnored: [...ENUM, 'skip'],
    reduction: [...ENUM, 'batchmean'],
    grad: BOOL,
  },
  linearJsDivergence: {
    beta: [-0.1, 1.5, NaN, ...NOT_NUMBER],
    temperature: [0, -1, 1e300, NaN, ...NOT_NUMBER],
    ignoreIndex: [1.5, '-100', 2 ** 31],
    allIgnored: ENUM,
    reduction: ENUM,
    grad: BOOL,
    frozenHead: BOOL,
    memoryBudget: [0, -1, 1.5, NaN, Infinity, 2 ** 53, ...NOT_NUMBER],
  },
};
BAD.logSoftmax = BAD.softmax;

/** A value as a case title shows it. */
function title(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(title).join(', ')}]`;
  if (typeof v === 'object' && v !== null && '$make' in v) {
    const t = v as { $make: string; type?: string };
    return `a ${t.type ?? t.$make}`;
  }
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return JSON.stringify(v) ?? String(v);
}

const valueCases: Case[] = OPERATIONS.flatMap((op) =>
  Object.entries(BAD[op]).flatMap(([key, values]) =>
    values.map((v): Case => ({ name: `${op} options.${key} = ${title(v)}`, call: op, args: withOptions(op, { [key]: v }), want: option(`options.${key}`) }))));

// Combinations refused by rule.
const combos: Case[] = [
  { name: 'crossEntropy zLoss with probabilities', call: 'crossEntropy', args: [X, X, { from: 'probs', zLoss: 0.1 }], want: option('options.zLoss') },
  { name: 'crossEntropy softcap with probabilities', call: 'crossEntropy', args: [X, X, { from: 'probs', softcap: 5 }], want: option('options.softcap') },
  { name: 'crossEntropy zLoss 0 with probabilities (no effect)', call: 'crossEntropy', args: [X, X, { from: 'probs', zLoss: 0 }], want: OK },
  { name: 'crossEntropy topK without extras', call: 'crossEntropy', args: [X, Y, { topK: 2 }], want: option('options.topK') },
  { name: 'crossEntropy topK with probabilities', call: 'crossEntropy', args: [X, Y, { topK: 2, extras: true, from: 'probs' }], want: option('options.topK') },
  { name: 'crossEntropy topK with dense targets', call: 'crossEntropy', args: [X, X, { topK: 2, extras: true }], want: option('options.topK') },
  { name: 'crossEntropy topK with extras', call: 'crossEntropy', args: [X, Y, { topK: 2, extras: true }], want: OK },
  ...[3, 0, 1.5, 2 ** 31, NaN, '2', null].map((v): Case => ({ name: `linearCrossEntropy shift 1, sequenceLength = ${title(v)}`, call: 'linearCrossEntropy',
    args: withOptions('linearCrossEntropy', { shift: 1, sequenceLength: v }), want: option('options.sequenceLength') })),
  { name: 'linearCrossEntropy shift 1, sequenceLength 1 (every row ignored)', call: 'linearCrossEntropy', args: withOptions('linearCrossEntropy', { shift: 1, sequenceLength: 1 }), want: OK },
  { name: 'linearCrossEntropy shift 1 over the 2 rows, extras, frozen head', call: 'linearCrossEntropy', args: withOptions('linearCrossEntropy', { shift: 1, extras: true, frozenHead: true, grad: true }), want: OK },
  { name: 'linearCrossEntropy memoryBudget 64 bytes with grad', call: 'linearCrossEntropy', args: withOptions('linearCrossEntropy', { grad: true, memoryBudget: 64 }), want: option('options.memoryBudget'),
    on: { oracle: OK, cpu: OK }, why: 'only the GPU has scratch to fit in a budget' },
  ...[0, 1, 1e-50, NaN, 'on', true].map((v): Case => ({ name: `linearCrossEntropy grad, gradFilter = ${title(v)}`, call: 'linearCrossEntropy',
    args: withOptions('linearCrossEntropy', { grad: true, gradFilter: v }), want: option('options.gradFilter') })),
  ...[false, 'auto', 2 ** -12].map((v): Case => ({ name: `linearCrossEntropy grad, gradFilter = ${title(v)}`, call: 'linearCrossEntropy',
    args: withOptions('linearCrossEntropy', { grad: true, gradFilter: v }), want: OK })),
  { name: 'linearJsDivergence memoryBudget 16 bytes with grad (one row of 3 logits and their gradient needs 24)', call: 'linearJsDivergence',
    args: withOptions('linearJsDivergence', { grad: true, memoryBudget: 16 }), want: option('options.memoryBudget'), on: { oracle: OK, cpu: OK }, why: 'only the GPU forms the logits in chunks' },
  { name: 'linearJsDivergence memoryBudget 24 bytes with grad, frozen head (one row per chunk)', call: 'linearJsDivergence',
    args: withOptions('linearJsDivergence', { grad: true, frozenHead: true, memoryBudget: 24 }), want: OK },
  { name: 'linearCrossEntropy gradFilter false without grad', call: 'linearCrossEntropy', args: withOptions('linearCrossEntropy', { gradFilter: false }), want: OK },
];

// Options only the GPU has: the CPU fallback refuses them by name, the oracle does not know them.
const gpuOnly: Case[] = [
  ...[true, 'yes', 1].map((v): Case => ({ name: `crossEntropy options.inPlace = ${title(v)} on host data`, call: 'crossEntropy', args: withOptions('crossEntropy', { inPlace: v }), want: option('options.inPlace') })),
  ...[X, {}, 5, null, 'grad'].map((v): Case => ({ name: `crossEntropy options.gradOut = ${title(v)}`, call: 'crossEntropy', args: withOptions('crossEntropy', { gradOut: v }), want: option('options.gradOut') })),
  ...['fast', 1, null].map((v): Case => ({ name: `linearCrossEntropy options.tiles = ${title(v)}`, call: 'linearCrossEntropy', args: withOptions('linearCrossEntropy', { tiles: v }), want: option('options.tiles') })),
  { name: 'crossEntropy options.inPlace = false on host data', call: 'crossEntropy', args: withOptions('crossEntropy', { inPlace: false }), want: OK, on: { oracle: option('options.inPlace') } },
];

// Unknown names: [operation, name, the closest known option or null]
const UNKNOWN: [string, string, string | null][] = [
  ['softmax', 'temprature', 'temperature'], ['softmax', 'Temperature', 'temperature'], ['softmax', 'T', null],
  ['logSoftmax', 'temperture', 'temperature'], ['logSoftmax', 'axis', null],
  ['crossEntropy', 'labelSmothing', 'labelSmoothing'], ['crossEntropy', 'label_smoothing', 'labelSmoothing'], ['crossEntropy', 'ignore_index', 'ignoreIndex'],
  ['crossEntropy', 'reductions', 'reduction'], ['crossEntropy', 'weights', 'weight'], ['crossEntropy', 'zloss', 'zLoss'], ['crossEntropy', 'xyz', null],
  ['binaryCrossEntropy', 'pos_weight', 'posWeight'], ['binaryCrossEntropy', 'posWeights', 'posWeight'], ['binaryCrossEntropy', 'labelSmoothing', null],
  ['entropy', 'epsilion', 'epsilon'], ['entropy', 'targetFrom', null],
  ['klDivergence', 'target_from', 'targetFrom'], ['klDivergence', 'targetFrm', 'targetFrom'], ['klDivergence', 'logTarget', null],
  ['focalLoss', 'gama', 'gamma'], ['focalLoss', 'weight', null], ['focalLoss', 'labelSmoothing', null],
  ['binaryFocalLoss', 'alfa', 'alpha'], ['binaryFocalLoss', 'posWeight', null],
  ['jsDivergence', 'betta', 'beta'], ['jsDivergence', 'shift_labels', null], ['jsDivergence', 'temprature', 'temperature'],
  ['linearJsDivergence', 'frozen_head', 'frozenHead'], ['linearJsDivergence', 'labelSmoothing', null],
  ['linearCrossEntropy', 'biass', 'bias'], ['linearCrossEntropy', 'labelSmoothng', 'labelSmoothing'], ['linearCrossEntropy', 'inPlace', null],
];
const unknown: Case[] = UNKNOWN.map(([op, key, near]) => ({
  name: `${op} unknown option '${key}'`, call: op, args: withOptions(op, { [key]: 1 }), want: option(`options.${key}`),
  says: near ? `did you mean '${near}'?` : 'known: ',
}));

// Options that are not an object.
const NOT_OBJECTS: [string, unknown][] = [['null', null], ['a number', 5], ['a string', 'mean'], ['a boolean', true], ['an array', []],
  ['an array of an object', [{ grad: true }]], ['a function', T.fn()], ['a Symbol', T.symbol('o')], ['a BigInt', T.bigint(1)],
  ['a Map', T.map([['grad', true]])]];
const notObjects: Case[] = OPERATIONS.flatMap((op) => NOT_OBJECTS.map(([what, v]): Case => ({
  name: `${op} options that are ${what}`, call: op, args: withOptions(op, v), want: option('options'),
})));
const absent: Case[] = OPERATIONS.map((op): Case => ({ name: `${op} options undefined`, call: op, args: withOptions(op, T.undefined()), want: OK }));

export const OPTION_CASES: Case[] = [...valueCases, ...combos, ...gpuOnly, ...unknown, ...notObjects, ...absent];

