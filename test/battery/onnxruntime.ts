// The ONNX Runtime Web adapter's argument checks (webgpu-loss/onnxruntime), on the real ORT in the
// page's onnxruntime area, its tensors kept in GPU buffers on ORT's device. A few cases: the
// adapter hands the rest to WebGPULoss.
import { buffer, dtype, option, OK, shape, type Case, type Want } from './case';
import { X } from './args';
import { T, type Token } from './make';

/** An ort.Tensor over a GPU buffer of ORT's device holding `values`. */
const ort = (values: number[], dims: number[], type: 'float32' | 'int32' | 'int64'): Token => ({ $make: 'ort.gpu', values, dims, type });
const ORT: Token = { $make: 'ort.namespace' };
const WL: Token = { $make: 'ort.wl' };
const logits = ort(X.data, X.shape, 'float32');
const labels32 = ort([0, 2], [2], 'int32');
const labels64 = ort([0, 2], [2], 'int64');
const bufferless = { type: 'float32', dims: [2, 3], location: 'gpu-buffer', gpuBuffer: null };

// [name, call, args, want]
const ROWS: [string, string, unknown[], Want][] = [
  ['OrtLoss.create of null', 'create', [null], option('ort')],
  ['OrtLoss.create of an object without env', 'create', [{}], option('ort')],
  ['OrtLoss.create with options null', 'create', [ORT, null], option('options')],
  ['OrtLoss.create with a misspelt option', 'create', [ORT, { devise: {} }], option('options.devise')],
  ['OrtLoss.create with an adapter (not an option here)', 'create', [ORT, { adapter: {} }], option('options.adapter')],
  ['OrtLoss.create with a device that is not one', 'create', [ORT, { device: {} }], option('options.device')],
  ['OrtLoss.create on ORT\'s device', 'create', [ORT], OK],
  ['fromOrtTensor with options null', 'fromOrtTensor', [WL, logits, 'logits', null], option('options')],
  ['fromOrtTensor with a misspelt option', 'fromOrtTensor', [WL, logits, 'logits', { shap: [6] }], option('options.shap')],
  ['fromOrtTensor with a shape that is not an array', 'fromOrtTensor', [WL, logits, 'logits', { shape: 6 }], shape('options.shape')],
  ['fromOrtTensor with a negative dimension in its shape', 'fromOrtTensor', [WL, logits, 'logits', { shape: [-2, -3] }], shape('options.shape')],
  ['fromOrtTensor of int64 labels with outOfRange 2^32', 'fromOrtTensor', [WL, labels64, 'labels', { outOfRange: 2 ** 32 }], option('options.outOfRange')],
  ['fromOrtTensor of a tensor whose gpuBuffer is null', 'fromOrtTensor', [WL, bufferless, 'logits'], buffer('logits')],
  ['fromOrtTensor of a tensor behind a proxy whose get trap throws', 'fromOrtTensor', [WL, T.proxy({}, ['get']), 'logits'], dtype('logits')],
  ['fromOrtTensor on something other than a WebGPULoss', 'fromOrtTensor', [{}, logits, 'logits'], option('wl')],
  ['fromOrtTensor named by a number', 'fromOrtTensor', [WL, logits, 5], option('name')],
  ['fromOrtTensor reshaped to [6]', 'fromOrtTensor', [WL, logits, 'logits', { shape: [6] }], OK],
  ['crossEntropy with options null', 'crossEntropy', [logits, labels32, null], option('options')],
  ['crossEntropy with a misspelt option', 'crossEntropy', [logits, labels32, { ignoreIndx: -1 }], option('options.ignoreIndx')],
];

export const ORT_CASES: Case[] = [
  ...ROWS.map(([name, call, args, want]): Case => ({ name, call, args, want, targets: ['onnxruntime'] })),
  {
    name: 'crossEntropy of int64 labels with an ignoreIndex getter that changes after its first read', call: 'crossEntropy',
    args: [logits, labels64, T.getters('o', { ignoreIndex: [-(2 ** 31), 0] })], want: OK, reads: { 'o.ignoreIndex': 1 }, targets: ['onnxruntime'],
  },
];
