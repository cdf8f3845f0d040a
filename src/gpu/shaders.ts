// Every shader family, one WGSL module each: common.wgsl, then the declarations its layout table
// generates (Params, bindings, flags, shared constants; src/kernels/*.layout.ts), then its own
// file(s), then (row families) a reduce_row. Its bind-group layout comes from the same table.
import common from '../../shaders/common.wgsl?raw';
import softmax from '../../shaders/softmax.wgsl?raw';
import crossEntropy from '../../shaders/cross_entropy.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';
import entropy from '../../shaders/entropy.wgsl?raw';
import binaryCrossEntropy from '../../shaders/binary_cross_entropy.wgsl?raw';
import linearCrossEntropy from '../../shaders/linear_cross_entropy.wgsl?raw';
import int64ToInt32 from '../../shaders/int64_to_int32.wgsl?raw';
import rowReduceTree from '../../shaders/row_reduce_tree.wgsl?raw';
import rowReduceSubgroup from '../../shaders/row_reduce_subgroup.wgsl?raw';
import labelScan from '../../shaders/label_scan.wgsl?raw';
import partialSum from '../../shaders/partial_sum.wgsl?raw';
import type { BindingKind, Layout, LayoutSpec } from '../kernels/layout';
import { SOFTMAX } from '../kernels/softmax.layout';
import { CROSS_ENTROPY } from '../kernels/cross-entropy.layout';
import { REDUCE } from '../kernels/reduce.layout';
import { ENTROPY } from '../kernels/entropy.layout';
import { BINARY_CROSS_ENTROPY } from '../kernels/binary-cross-entropy.layout';
import { LINEAR_CROSS_ENTROPY } from '../kernels/linear-cross-entropy.layout';
import { INT64_TO_INT32 } from '../kernels/int64-to-int32.layout';

export type { BindingKind };

interface FamilySpec {
  code: string;
  /** Row families: the same kernel with the subgroup row reduction (needs the `subgroups` feature). */
  sgCode?: string;
  /** Storage bindings from binding 1 on; binding 0 is always the uniform block. */
  bindings: readonly BindingKind[];
}

const family = (layout: Layout<LayoutSpec>, ...files: string[]): FamilySpec => ({
  code: `${common}\n${[layout.wgsl, ...files].join('\n')}`,
  bindings: layout.kinds,
});

/** A row family: its reduce_row comes from the tree file, or from the subgroup file. */
const rowFamily = (layout: Layout<LayoutSpec>, src: string): FamilySpec => ({
  code: `${common}\n${layout.wgsl}\n${src}\n${rowReduceTree}`,
  sgCode: `enable subgroups;\n${common}\n${layout.wgsl}\n${src}\n${rowReduceSubgroup}`,
  bindings: layout.kinds,
});

/** Each family's layout table. */
export const LAYOUTS = {
  softmax: SOFTMAX,
  crossEntropy: CROSS_ENTROPY,
  reduce: REDUCE,
  entropy: ENTROPY,
  binaryCrossEntropy: BINARY_CROSS_ENTROPY,
  linearCrossEntropy: LINEAR_CROSS_ENTROPY,
  int64ToInt32: INT64_TO_INT32,
};

export const FAMILIES = {
  softmax: rowFamily(SOFTMAX, softmax),
  crossEntropy: rowFamily(CROSS_ENTROPY, `${crossEntropy}\n${labelScan}`),
  reduce: family(REDUCE, reduce, partialSum),
  entropy: rowFamily(ENTROPY, entropy),
  binaryCrossEntropy: family(BINARY_CROSS_ENTROPY, binaryCrossEntropy, partialSum),
  linearCrossEntropy: family(LINEAR_CROSS_ENTROPY, linearCrossEntropy, labelScan),
  // int64 labels in, int32 labels out (the ONNX Runtime adapter)
  int64ToInt32: family(INT64_TO_INT32, int64ToInt32),
} satisfies Record<keyof typeof LAYOUTS, FamilySpec>;

export type Family = keyof typeof FAMILIES;
