// Hostile objects as options and tensors: getters that answer differently on each read, proxies
// (their traps throwing, or not), `__proto__` keys from JSON, Symbol keys, inherited properties.
// Whatever they do, the library answers with a typed error or a result computed from one read.
import { option, OK, shape, dtype, type Case } from './case';
import { OPERATIONS, VALID, X, Y } from './args';
import { T } from './make';

const withOptions = (op: string, opts: unknown) => [...VALID[op].slice(0, -1), opts];

// A valid option of each operation, and a value it refuses, for getters and proxies to hold.
const AN_OPTION: Record<string, [string, unknown, unknown]> = {
  softmax: ['temperature', 2, -1],
  logSoftmax: ['temperature', 2, -1],
  crossEntropy: ['labelSmoothing', 0.1, 5],
  binaryCrossEntropy: ['posWeight', 2, -1],
  entropy: ['reduction', 'sum', 'bogus'],
  klDivergence: ['targetFrom', 'logits', 'bogus'],
  linearCrossEntropy: ['reduction', 'none', 'bogus'],
  focalLoss: ['gamma', 1, -1],
  binaryFocalLoss: ['alpha', 0.5, 2],
  jsDivergence: ['beta', 0.25, 2],
  linearJsDivergence: ['temperature', 2, 0],
};

const TRAPS = ['get', 'ownKeys', 'getOwnPropertyDescriptor'] as const;

const optionCases: Case[] = OPERATIONS.flatMap((op): Case[] => {
  const [key, good, bad] = AN_OPTION[op];
  return [
    // read once: the value checked is the value used
    { name: `${op} an option getter that turns bad after its first read`, call: op, args: withOptions(op, T.getters('o', { [key]: [good, bad] })), want: OK, reads: { [`o.${key}`]: 1 } },
    { name: `${op} an option getter that turns good after its first read`, call: op, args: withOptions(op, T.getters('o', { [key]: [bad, good] })), want: option(`options.${key}`), reads: { [`o.${key}`]: 1 } },
    ...TRAPS.map((trap): Case => ({ name: `${op} options behind a proxy whose ${trap} trap throws`, call: op, args: withOptions(op, T.proxy({ [key]: good }, [trap])), want: option('options') })),
    { name: `${op} options behind a transparent proxy`, call: op, args: withOptions(op, T.proxy({ [key]: good })), want: OK },
    { name: `${op} options behind a proxy whose getPrototypeOf trap throws (own properties are what counts)`, call: op, args: withOptions(op, T.proxy({ [key]: good }, ['getPrototypeOf'])), want: OK },
    { name: `${op} an option value behind a proxy whose get trap throws`, call: op, args: withOptions(op, { [key]: T.proxy({}, ['get']) }), want: option(`options.${key}`) },
    { name: `${op} a Symbol-keyed option`, call: op, args: withOptions(op, T.symbolKey({}, key, good)), want: option('options') },
    { name: `${op} a __proto__ key from JSON`, call: op, args: withOptions(op, T.json('{"__proto__": {"grad": true}}')), want: option('options.__proto__') },
    { name: `${op} a __proto__ key from JSON beside a valid option`, call: op, args: withOptions(op, T.json(`{"${key}": ${JSON.stringify(good)}, "__proto__": {"${key}": ${JSON.stringify(bad)}}}`)), want: option('options.__proto__') },
    // Options are the object's own properties; inherited ones are not read (as with a spread).
    { name: `${op} an inherited option (ignored)`, call: op, args: withOptions(op, T.inherits({ [key]: bad })), want: OK },
  ];
});

// Option values that are arrays read item by item (class weights, per-column weights).
const arrayOptionCases: Case[] = [
  { name: 'crossEntropy class weights behind a proxy whose get trap throws', call: 'crossEntropy', args: [X, Y, { weight: T.proxy([1, 1, 1], ['get']) }], want: option('options.weight') },
  { name: 'crossEntropy class weights that turn negative after one pass', call: 'crossEntropy', args: [X, Y, { weight: T.flipArray('w', [1, 1, 1], [-1, -1, -1]) }], want: OK, reads: { w: 3 } },
  { name: 'binaryCrossEntropy posWeight behind a proxy whose get trap throws', call: 'binaryCrossEntropy', args: [X, X, { posWeight: T.proxy([1, 1, 1], ['get']) }], want: option('options.posWeight') },
  { name: 'binaryCrossEntropy weight that turns NaN after one pass', call: 'binaryCrossEntropy', args: [X, X, { weight: T.flipArray('w', [1, 2, 3], [NaN, NaN, NaN]) }], want: OK, reads: { w: 3 } },
];

// Tensors: [name, the hostile tensor, want]
const TENSORS: [string, unknown, Case['want']][] = [
  ['a tensor behind a proxy whose get trap throws', T.proxy(X, ['get']), shape('input')],
  ['a tensor behind a transparent proxy', T.proxy(X), OK],
  ['a shape behind a proxy whose get trap throws', { data: X.data, shape: T.proxy(X.shape, ['get']) }, shape('input')],
  ['data behind a proxy whose get trap throws', { data: T.proxy(X.data, ['get']), shape: X.shape }, dtype('input')],
  ['a tensor with a __proto__ key from JSON', T.json(`{"data": ${JSON.stringify(X.data)}, "shape": [2, 3], "__proto__": {"shape": [6]}}`), OK],
  ['a tensor whose data and shape are inherited', T.inherits(X), OK],
  ['a tensor with a Symbol-keyed property', T.symbolKey(X, 'meta', 1), OK],
  ['a forged GpuTensor (its prototype, none of its state)', T.forgedGpuTensor(), shape('input')],
];
const tensorCases: Case[] = ['softmax', 'entropy'].flatMap((op) => TENSORS.map(([name, t, want]): Case => ({
  name: `${op} ${name}`, call: op, args: [t, {}], want,
})));

// Getters on a tensor's data and shape: the checks and the computation see one read. The GPU and
// the CPU fallback read each once at the entry; the oracle's own functions read them again in
// their arithmetic (so they are not run there).
const readOnce: Case[] = ([
  { name: 'softmax data that turn NaN after the first read', call: 'softmax', args: [T.getters('t', { data: [X.data, [NaN, NaN, NaN, NaN, NaN, NaN]] }, { shape: X.shape })], want: OK, reads: { 't.data': 1 } },
  { name: 'softmax a shape that turns [3, 2] after the first read', call: 'softmax', args: [T.getters('t', { shape: [X.shape, [3, 2]] }, { data: X.data })], want: OK, reads: { 't.shape': 1 } },
  { name: 'softmax a shape whose items turn [3, 2] after one pass', call: 'softmax', args: [{ data: X.data, shape: T.flipArray('s', [2, 3], [3, 2]) }], want: OK, reads: { s: 2 } },
  { name: 'crossEntropy labels that turn out of range after the first read', call: 'crossEntropy', args: [X, T.getters('y', { data: [Y.data, [0, 99]] }, { shape: Y.shape })], want: OK, reads: { 'y.data': 1 } },
  { name: 'crossEntropy labels that turn in range after the first read', call: 'crossEntropy', args: [X, T.getters('y', { data: [[0, 99], Y.data] }, { shape: Y.shape })], want: ['LabelRangeError', 'LABEL_OUT_OF_RANGE', 'target'], reads: { 'y.data': 1 } },
  { name: 'linearCrossEntropy a bias whose data turn NaN after the first read', call: 'linearCrossEntropy', args: [...VALID.linearCrossEntropy.slice(0, 3), { bias: T.getters('b', { data: [[0, 0, 0], [NaN, NaN, NaN]] }, { shape: [3] }) }], want: OK, reads: { 'b.data': 1 } },
] as Case[]).map((c) => ({ ...c, targets: ['gpu', 'cpu'] as const }));

export const HOSTILE_CASES: Case[] = [...optionCases, ...arrayOptionCases, ...tensorCases, ...readOnce];
