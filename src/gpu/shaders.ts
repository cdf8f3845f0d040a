// Every shader family with its bind-group layout. The host prepends common.wgsl to each.
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

export type BindingKind = 'read' | 'rw';

interface FamilySpec {
  code: string;
  /** Row families: the same kernel with the subgroup row reduction (needs the `subgroups` feature). */
  sgCode?: string;
  /** Storage bindings from binding 1 on; binding 0 is always the uniform block. */
  bindings: readonly BindingKind[];
}

const family = (src: string, bindings: readonly BindingKind[]): FamilySpec => ({ code: `${common}\n${src}`, bindings });

/** A row family: its reduce_row comes from the tree file, or from the subgroup file. */
const rowFamily = (src: string, bindings: readonly BindingKind[]): FamilySpec => ({
  code: `${common}\n${src}\n${rowReduceTree}`,
  sgCode: `enable subgroups;\n${common}\n${src}\n${rowReduceSubgroup}`,
  bindings,
});

export const FAMILIES = {
  softmax: rowFamily(softmax, ['read', 'rw']),
  crossEntropy: rowFamily(crossEntropy, ['rw', 'read', 'read', 'rw', 'rw', 'rw', 'rw', 'rw']),
  reduce: family(reduce, ['read', 'read', 'rw']),
  entropy: rowFamily(entropy, ['read', 'read', 'rw', 'rw']),
  binaryCrossEntropy: family(binaryCrossEntropy, ['read', 'read', 'read', 'read', 'rw', 'rw']),
  // hidden, weight, bias, labels, class weights; scratch (meta, row stats, partials), G chunk, output
  linearCrossEntropy: family(linearCrossEntropy, ['read', 'read', 'read', 'read', 'read', 'rw', 'rw', 'rw']),
  // int64 labels in, int32 labels out (the ONNX Runtime adapter)
  int64ToInt32: family(int64ToInt32, ['read', 'rw']),
} satisfies Record<string, FamilySpec>;

export type Family = keyof typeof FAMILIES;
