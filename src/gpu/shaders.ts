// Every shader family, one WGSL module each: common.wgsl, then the declarations its layout table
// generates (Params, bindings, flags, shared constants; src/kernels/layouts/), then its own
// files, then (row families) a reduce_row. Its bind-group layout comes from the same table.
import common from '../../shaders/common.wgsl?raw';
import rowReduceTree from '../../shaders/row_reduce_tree.wgsl?raw';
import rowReduceSubgroup from '../../shaders/row_reduce_subgroup.wgsl?raw';
import labelScan from '../../shaders/label_scan.wgsl?raw';
import partialSum from '../../shaders/partial_sum.wgsl?raw';
import softmax from '../../shaders/softmax.wgsl?raw';
import ceMain from '../../shaders/cross_entropy/main.wgsl?raw';
import ceHelpers from '../../shaders/cross_entropy/helpers.wgsl?raw';
import cePrepare from '../../shaders/cross_entropy/prepare.wgsl?raw';
import ceForward from '../../shaders/cross_entropy/forward.wgsl?raw';
import ceGradient from '../../shaders/cross_entropy/gradient.wgsl?raw';
import ceSplit from '../../shaders/cross_entropy/split.wgsl?raw';
import ceEvaluate from '../../shaders/cross_entropy/evaluate.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';
import entropyMain from '../../shaders/entropy/main.wgsl?raw';
import entropySums from '../../shaders/entropy/sums.wgsl?raw';
import entropyGradient from '../../shaders/entropy/gradient.wgsl?raw';
import entropyArith from '../../shaders/entropy/arith.wgsl?raw';
import binaryCrossEntropy from '../../shaders/binary_cross_entropy.wgsl?raw';
import lceHelpers from '../../shaders/linear_cross_entropy/helpers.wgsl?raw';
import lceMatmul from '../../shaders/linear_cross_entropy/matmul.wgsl?raw';
import lceTile from '../../shaders/linear_cross_entropy/tile.wgsl?raw';
import lceCombine from '../../shaders/linear_cross_entropy/combine.wgsl?raw';
import matmulTile from '../../shaders/matmul_tile.wgsl?raw';
import int64ToInt32 from '../../shaders/int64_to_int32.wgsl?raw';
import focalMain from '../../shaders/focal/main.wgsl?raw';
import focalSums from '../../shaders/focal/sums.wgsl?raw';
import focalMath from '../../shaders/focal/math.wgsl?raw';
import unitMath from '../../shaders/unit_math.wgsl?raw';
import rowMain from '../../shaders/row_main.wgsl?raw';
import focalBinary from '../../shaders/focal/binary.wgsl?raw';
import evaluator from '../../shaders/evaluator.wgsl?raw';
import jsdMain from '../../shaders/jsd/main.wgsl?raw';
import jsdSums from '../../shaders/jsd/sums.wgsl?raw';
import pack16 from '../../shaders/pack16.wgsl?raw';
import linearJsd from '../../shaders/linear_jsd.wgsl?raw';
import type { BindingKind, Layout, LayoutSpec } from '../kernels/layouts/layout';
import { SOFTMAX } from '../kernels/layouts/softmax';
import { CROSS_ENTROPY } from '../kernels/layouts/cross-entropy';
import { REDUCE } from '../kernels/layouts/reduce';
import { ENTROPY } from '../kernels/layouts/entropy';
import { BINARY_CROSS_ENTROPY } from '../kernels/layouts/binary-cross-entropy';
import { LINEAR_CROSS_ENTROPY } from '../kernels/layouts/linear-cross-entropy';
import { INT64_TO_INT32 } from '../kernels/layouts/int64-to-int32';
import { BINARY_FOCAL, FOCAL } from '../kernels/layouts/focal';
import { EVALUATOR } from '../kernels/layouts/evaluator';
import { JSD } from '../kernels/layouts/jsd';
import { PACK16 } from '../kernels/layouts/pack16';
import { LINEAR_JSD } from '../kernels/layouts/linear-jsd';

export type { BindingKind };

interface FamilySpec {
  code: string;
  /** Row families: the same kernel with the subgroup row reduction (needs the `subgroups` feature). */
  sgCode?: string;
  /** Storage bindings from binding 1 on; binding 0 is always the uniform block. */
  bindings: readonly BindingKind[];
}

/** A family's own text (generated declarations, then its files): the module less common.wgsl and reduce_row. */
const own = (layout: Layout<LayoutSpec>, files: string[]) => [layout.wgsl, ...files].join('\n');

const family = (layout: Layout<LayoutSpec>, files: string[]): FamilySpec => ({
  code: `${common}\n${own(layout, files)}`,
  bindings: layout.kinds,
});

/** A row family: its reduce_row comes from the tree file, or from the subgroup file. */
const rowFamily = (layout: Layout<LayoutSpec>, files: string[]): FamilySpec => ({
  code: `${common}\n${own(layout, files)}\n${rowReduceTree}`,
  sgCode: `enable subgroups;\n${common}\n${own(layout, files)}\n${rowReduceSubgroup}`,
  bindings: layout.kinds,
});

const FILES = {
  softmax: [softmax],
  crossEntropy: [ceMain, ceHelpers, cePrepare, labelScan, ceForward, ceGradient, ceSplit, ceEvaluate],
  reduce: [reduce, partialSum],
  entropy: [entropyMain, rowMain, entropySums, entropyGradient, entropyArith],
  binaryCrossEntropy: [binaryCrossEntropy, unitMath, partialSum],
  linearCrossEntropy: [lceHelpers, labelScan, lceMatmul, matmulTile, lceTile, lceCombine],
  int64ToInt32: [int64ToInt32],
  focal: [focalMain, rowMain, focalSums, unitMath, focalMath, labelScan],
  binaryFocal: [focalBinary, unitMath, focalMath, partialSum],
  evaluator: [evaluator],
  jsd: [jsdMain, rowMain, jsdSums],
  pack16: [pack16],
  linearJsd: [linearJsd, matmulTile],
};

/** Each family's layout table. */
export const LAYOUTS = {
  softmax: SOFTMAX,
  crossEntropy: CROSS_ENTROPY,
  reduce: REDUCE,
  entropy: ENTROPY,
  binaryCrossEntropy: BINARY_CROSS_ENTROPY,
  linearCrossEntropy: LINEAR_CROSS_ENTROPY,
  int64ToInt32: INT64_TO_INT32,
  focal: FOCAL,
  binaryFocal: BINARY_FOCAL,
  evaluator: EVALUATOR,
  jsd: JSD,
  pack16: PACK16,
  linearJsd: LINEAR_JSD,
} satisfies Record<keyof typeof FILES, Layout<LayoutSpec>>;

/** Each family's own text, as it stands in its module (bench/profile.ts replaces it in variants). */
export const SOURCES = Object.fromEntries(
  Object.entries(FILES).map(([k, files]) => [k, own(LAYOUTS[k as keyof typeof FILES], files)]),
) as Record<keyof typeof FILES, string>;

export const FAMILIES = {
  softmax: rowFamily(SOFTMAX, FILES.softmax),
  crossEntropy: rowFamily(CROSS_ENTROPY, FILES.crossEntropy),
  reduce: family(REDUCE, FILES.reduce),
  entropy: rowFamily(ENTROPY, FILES.entropy),
  binaryCrossEntropy: family(BINARY_CROSS_ENTROPY, FILES.binaryCrossEntropy),
  linearCrossEntropy: family(LINEAR_CROSS_ENTROPY, FILES.linearCrossEntropy),
  // int64 labels in, int32 labels out (the ONNX Runtime adapter)
  int64ToInt32: family(INT64_TO_INT32, FILES.int64ToInt32),
  focal: rowFamily(FOCAL, FILES.focal),
  binaryFocal: family(BINARY_FOCAL, FILES.binaryFocal),
  // the streaming evaluator's per-batch sums
  evaluator: family(EVALUATOR, FILES.evaluator),
  jsd: rowFamily(JSD, FILES.jsd),
  // float32 gradients to the input's 16-bit dtype (gradDtype: 'input')
  pack16: family(PACK16, FILES.pack16),
  // the student head's products around jsd (linearJsDivergence)
  linearJsd: family(LINEAR_JSD, FILES.linearJsd),
} satisfies Record<keyof typeof FILES, FamilySpec>;

export type Family = keyof typeof FAMILIES;
