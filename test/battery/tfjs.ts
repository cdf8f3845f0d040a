// The TF.js adapter's argument checks (webgpu-loss/tfjs), on the real TF.js in the page's tfjs
// area: options read once and checked before the work, and what is not a tensor, a forward
// function or an optimizer refused by name. A few cases: the adapter hands the rest to WebGPULoss.
import { option, OK, type Case, type Want } from './case';
import { X } from './args';
import { T, type Token } from './make';

/** A tf.Tensor made on TF.js's WebGPU backend. */
const tf = (values: number[], shape: number[], dtype: 'float32' | 'int32' = 'float32'): Token => ({ $make: 'tf.tensor', values, shape, dtype });
/** A forward pass returning new logits (`returns`: 'logits'), or something else. */
const forward = (returns: 'logits' | number): Token => ({ $make: 'tf.forward', returns });
const TF: Token = { $make: 'tf.namespace' };
const x = tf(X.data, X.shape);
const y = tf([0, 2], [2], 'int32');

// [name, call, args, want]
const ROWS: [string, string, unknown[], Want][] = [
  ['crossEntropy with grad a string', 'crossEntropy', [x, y, { grad: 'yes' }], option('options.grad')],
  ['crossEntropy with grad 1', 'crossEntropy', [x, y, { grad: 1 }], option('options.grad')],
  ['crossEntropy with options null', 'crossEntropy', [x, y, null], option('options')],
  ['crossEntropy with a misspelt option', 'crossEntropy', [x, y, { labelSmothing: 0.1 }], option('options.labelSmothing')],
  ['crossEntropy with gradOut', 'crossEntropy', [x, y, { gradOut: {} }], option('options.gradOut')],
  ['crossEntropy with inPlace false (nothing to refuse)', 'crossEntropy', [x, y, { inPlace: false }], OK],
  ['crossEntropy with options behind a proxy whose get trap throws', 'crossEntropy', [x, y, T.proxy({ grad: true }, ['get'])], option('options')],
  ['crossEntropy with a __proto__ key from JSON', 'crossEntropy', [x, y, T.json('{"__proto__": {"grad": true}}')], option('options.__proto__')],
  ['crossEntropy of an input behind a proxy whose traps throw', 'crossEntropy', [T.proxy(x, ['has', 'get']), y], option('input')],
  ['softmax with a misspelt option', 'softmax', [x, { temprature: 2 }], option('options.temprature')],
  ['gradients of a forward that is not a function', 'gradients', ['logits', y], option('forward')],
  ['gradients of a forward that returns no tensor', 'gradients', [forward(5), y], option('forward')],
  ['gradients with varList a number', 'gradients', [forward('logits'), y, { varList: 5 }], option('options.varList')],
  ['trainStep with an optimizer without applyGradients', 'trainStep', [forward('logits'), y, {}], option('optimizer')],
  ['create with options null', 'create', [TF, null], option('options')],
  ['create with a device (it takes TF.js\'s)', 'create', [TF, { device: {} }], option('options.device')],
  ['create with a misspelt option', 'create', [TF, { debg: true }], option('options.debg')],
  ['create of something that is not TF.js', 'create', [{}], option('tf')],
  ['create on TF.js', 'create', [TF], OK],
];

export const TFJS_CASES: Case[] = [
  ...ROWS.map(([name, call, args, want]): Case => ({ name, call, args, want, targets: ['tfjs'] })),
  { name: 'crossEntropy with a grad getter that turns off after its first read', call: 'crossEntropy', args: [x, y, T.getters('o', { grad: [true, false] })], want: OK, reads: { 'o.grad': 1 }, targets: ['tfjs'] },
];
