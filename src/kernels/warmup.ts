import type { GpuContext } from '../gpu/context';
import { bceWG, reduceWG, rowShapes } from './launch';
import { BINARY_CROSS_ENTROPY as BCE } from './layouts/binary-cross-entropy';
import { ENTROPY_WARM_FLAGS } from './entropy';

/**
 * The pipelines every family compiles in its default forms, for warmup(): softmax and
 * log-softmax, binary cross-entropy from logits with scalar weights (with and without the
 * gradient, summed and not), entropy/KL, and the batch reduction. Cross-entropy and linear
 * cross-entropy compile per option set (their own *Pipelines functions).
 */
export function defaultPipelines(ctx: GpuContext): Promise<GPUComputePipeline>[] {
  return [
    ...rowShapes(ctx).flatMap((c) => [0, 1].map((LOG_OUT) => ctx.pipeline('softmax', 'main', { ...c, LOG_OUT }))),
    ...[0, 1].flatMap((SUMS) => [0, BCE.F.GRAD].map((FLAGS) => ctx.pipeline('binaryCrossEntropy', 'main', { WG: bceWG(ctx), SUMS, FLAGS }))),
    ctx.pipeline('reduce', 'main', { WG: reduceWG(ctx) }),
    ...rowShapes(ctx).flatMap((c) => ENTROPY_WARM_FLAGS.map((FLAGS) => ctx.pipeline('entropy', 'main', { ...c, FLAGS }))),
  ];
}
