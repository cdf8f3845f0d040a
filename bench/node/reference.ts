// Merges a native reference run on the same GPU (bench/torch_reference.py's JSON) into the
// results: its rows join each shape's table, and the library's rows gain "vs PyTorch CUDA".
import { bytesFor, derive } from '../derive';
import type { BenchResults, Check, ImplResult, Timing, Work } from '../types';

/** What bench/torch_reference.py writes. */
export interface TorchReference {
  schema: 1;
  kind: 'torch-reference';
  device: string;
  versions: Record<string, string>;
  notes: string[];
  shapes: { rows: number; classes: number; impls: TorchRow[] }[];
}

interface TorchRow {
  id: string;
  label: string;
  work: Work;
  check: Check;
  firstMs?: number;
  wall?: Timing;
  gpu?: Timing;
  skipped?: string;
  error?: string;
}

const METHOD = 'vs PyTorch CUDA: the faster of torch.nn.functional.cross_entropy eager and torch.compile\'d (forward; for fused, the loss and torch.autograd.grad of it), timed by bench/torch_reference.py on the same GPU: CUDA events around each warm call (GPU time), perf_counter around the call and loss.item() (wall), medians after warm-up; over this library\'s GPU median (wall medians where either lacks GPU time). Its inputs are its own seeded float32 logits of the same shapes, checked against float64 PyTorch on the same inputs.';

export function mergeReference(res: BenchResults, ref: TorchReference): string[] {
  if (ref?.kind !== 'torch-reference' || !Array.isArray(ref.shapes)) throw new Error('not a torch_reference.py result (kind "torch-reference")');
  const unmatched: string[] = [];
  for (const s of ref.shapes) {
    const shape = res.shapes.find((x) => x.rows === s.rows && x.classes === s.classes);
    if (!shape) {
      unmatched.push(`${s.rows}x${s.classes}`);
      continue;
    }
    // A second merge replaces the first.
    shape.impls = shape.impls.filter((r) => !r.id.startsWith('torch-'));
    for (const t of s.impls) {
      const row: ImplResult = { ...t, backend: 'cuda', bytes: bytesFor(t.work, s.rows, s.classes) };
      shape.impls.push(row);
    }
    derive(shape);
  }
  res.reference = { name: 'PyTorch CUDA (bench/torch_reference.py)', device: ref.device, versions: ref.versions, notes: ref.notes ?? [] };
  if (!res.method.includes(METHOD)) res.method.push(METHOD);
  return unmatched;
}
