// Well-formed tensors of the wrong shape or rank for the operation, and the shapes it takes.
import { OK, label, shape, type Case } from './case';
import { B, H, W, X, Y } from './args';

const t = (data: number[], dims: number[]) => ({ data, shape: dims });
const zeros = (dims: number[]) => t(new Array(dims.reduce((a, b) => a * b, 1)).fill(0), dims);
const mismatch = (a: string) => shape(a, 'SHAPE_MISMATCH');

// [name, call, args, want]
const ROWS: [string, string, unknown[], Case['want']][] = [
  ['softmax of a rank-3 input', 'softmax', [zeros([1, 2, 3])], shape('input')],
  ['softmax of a rank-0 input', 'softmax', [t([1], [])], shape('input')],
  ['softmax of a 1-D input (one row)', 'softmax', [t([1, 2, 3], [3])], OK],
  ['logSoftmax of a rank-4 input', 'logSoftmax', [zeros([1, 1, 2, 3])], shape('input')],
  ['crossEntropy of a rank-3 input', 'crossEntropy', [zeros([1, 2, 3]), Y], shape('input')],
  ['crossEntropy labels of the wrong length', 'crossEntropy', [X, t([0, 1, 2], [3])], mismatch('target')],
  ['crossEntropy labels [2, 1] for a [2, 3] input', 'crossEntropy', [X, t([0, 2], [2, 1])], mismatch('target')],
  ['crossEntropy labels [] for a [2, 3] input', 'crossEntropy', [X, t([0], [])], mismatch('target')],
  ['crossEntropy labels [1] for a 1-D input (its labels have shape [])', 'crossEntropy', [t([1, 2, 3], [3]), t([0], [1])], mismatch('target')],
  ['crossEntropy labels [] for a 1-D input', 'crossEntropy', [t([1, 2, 3], [3]), t([2], [])], OK],
  ['crossEntropy dense target [3, 2] for a [2, 3] input', 'crossEntropy', [X, zeros([3, 2])], mismatch('target')],
  ['crossEntropy dense target [2, 4] for a [2, 3] input', 'crossEntropy', [X, zeros([2, 4])], mismatch('target')],
  ['crossEntropy dense target [1, 2, 3] for a [2, 3] input', 'crossEntropy', [X, zeros([1, 2, 3])], mismatch('target')],
  ['binaryCrossEntropy target [3, 2] for a [2, 3] input', 'binaryCrossEntropy', [X, zeros([3, 2])], mismatch('target')],
  ['binaryCrossEntropy target [6] for a [2, 3] input', 'binaryCrossEntropy', [X, zeros([6])], mismatch('target')],
  ['binaryCrossEntropy target [1, 3] for a [3] input', 'binaryCrossEntropy', [t([0, 1, 0], [3]), zeros([1, 3])], mismatch('target')],
  ['binaryCrossEntropy of a rank-3 input', 'binaryCrossEntropy', [zeros([1, 2, 3]), zeros([1, 2, 3])], shape('input')],
  ['entropy of a rank-3 input', 'entropy', [zeros([2, 1, 3])], shape('input')],
  ['entropy of a rank-0 input', 'entropy', [t([1], [])], shape('input')],
  ['klDivergence target [2, 2] for a [2, 3] input', 'klDivergence', [X, zeros([2, 2])], mismatch('target')],
  ['klDivergence target [3] for a [1, 3] input', 'klDivergence', [t([1, 2, 3], [1, 3]), t([0.2, 0.3, 0.5], [3])], mismatch('target')],
  ['klDivergence of rank-3 tensors', 'klDivergence', [zeros([1, 2, 3]), zeros([1, 2, 3])], shape('input')],
  ['jsDivergence teacher [2, 2] for a [2, 3] student', 'jsDivergence', [X, zeros([2, 2])], mismatch('teacher')],
  ['jsDivergence of rank-3 tensors', 'jsDivergence', [zeros([1, 2, 3]), zeros([1, 2, 3])], shape('student')],
  ['jsDivergence labels of the wrong length', 'jsDivergence', [X, X, { labels: t([0, 1, 2], [3]) }], mismatch('options.labels')],
  ['jsDivergence labels [2, 1]', 'jsDivergence', [X, X, { labels: t([0, 2], [2, 1]) }], mismatch('options.labels')],
  ['jsDivergence labels that are not integers', 'jsDivergence', [X, X, { labels: t([0.5, 1], [2]) }], label('options.labels')],
  ['jsDivergence labels [2], one ignored', 'jsDivergence', [X, X, { labels: t([-100, 7], [2]) }], OK],
  ['linearCrossEntropy hidden of rank 1', 'linearCrossEntropy', [t([1, 2], [2]), W, t([0], [1])], shape('hidden')],
  ['linearCrossEntropy hidden of rank 3', 'linearCrossEntropy', [zeros([1, 2, 2]), W, Y], shape('hidden')],
  ['linearCrossEntropy weight of rank 1', 'linearCrossEntropy', [H, t([1, 2], [2]), Y], shape('weight')],
  ['linearCrossEntropy weight with another D', 'linearCrossEntropy', [H, zeros([3, 3]), Y], mismatch('weight')],
  ['linearCrossEntropy weight [D, V] (transposed)', 'linearCrossEntropy', [H, zeros([2, 3]), Y], mismatch('weight')],
  ['linearCrossEntropy labels of the wrong length', 'linearCrossEntropy', [H, W, t([0, 1, 2], [3])], mismatch('labels')],
  ['linearCrossEntropy labels [2, 1]', 'linearCrossEntropy', [H, W, t([0, 2], [2, 1])], mismatch('labels')],
  ['linearCrossEntropy bias of another length', 'linearCrossEntropy', [H, W, Y, { bias: t([0, 0], [2]) }], mismatch('options.bias')],
  ['linearCrossEntropy bias [3, 1]', 'linearCrossEntropy', [H, W, Y, { bias: zeros([3, 1]) }], mismatch('options.bias')],
  ['linearCrossEntropy with a bias of the right shape', 'linearCrossEntropy', [H, W, Y, { bias: B }], OK],
  // linearJsDivergence's teacher as { hidden [N, Dt], weight [V, Dt], bias? [V] } (here Dt = 3)
  ['linearJsDivergence teacher head, Dt 3 and a bias', 'linearJsDivergence', [H, W, { hidden: zeros([2, 3]), weight: zeros([3, 3]), bias: B }], OK],
  ['linearJsDivergence teacher.hidden with another N', 'linearJsDivergence', [H, W, { hidden: zeros([3, 3]), weight: zeros([3, 3]) }], mismatch('teacher.hidden')],
  ['linearJsDivergence teacher.hidden of rank 1', 'linearJsDivergence', [H, W, { hidden: zeros([3]), weight: zeros([3, 3]) }], mismatch('teacher.hidden')],
  ['linearJsDivergence teacher.weight with another V', 'linearJsDivergence', [H, W, { hidden: zeros([2, 3]), weight: zeros([4, 3]) }], mismatch('teacher.weight')],
  ['linearJsDivergence teacher.weight with another Dt', 'linearJsDivergence', [H, W, { hidden: zeros([2, 3]), weight: zeros([3, 2]) }], mismatch('teacher.weight')],
  ['linearJsDivergence teacher.bias of another length', 'linearJsDivergence', [H, W, { hidden: zeros([2, 3]), weight: zeros([3, 3]), bias: zeros([2]) }], mismatch('teacher.bias')],
  ['linearJsDivergence teacher head without its weight', 'linearJsDivergence', [H, W, { hidden: zeros([2, 3]) }], shape('teacher.weight')],
  ['linearJsDivergence teacher an object that is neither logits nor a head', 'linearJsDivergence', [H, W, { logits: X }], shape('teacher')],
  ['linearJsDivergence teacher head with an unknown field', 'linearJsDivergence', [H, W, { hidden: zeros([2, 3]), weight: zeros([3, 3]), bais: B }], ['OptionError', 'INVALID_OPTION', 'teacher.bais']],
];

export const SHAPE_CASES: Case[] = ROWS.map(([name, call, args, want]) => ({ name, call, args, want }));
