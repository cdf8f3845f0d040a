// `npm run bench:gpu`'s command line (the bundle's run.sh passes the same flags).
// @ts-expect-error plain ESM parser shared with scripts/bench.mjs
import { COMMON_FLAGS, parseFlags } from '../../scripts/bench-args.mjs';
import type { RawOptions } from '../config';

export const HELP = `usage: npm run bench:gpu -- [--quick] [--shapes RxV,...] [--iters N] [--budget SECONDS] [--impls id,...]
                          [--swiftshader] [--table] [--out FILE.json] [--reference TORCH.json] [--render FILE.json]
  The benchmark in Node on Dawn, on this machine's GPU (Vulkan, Metal or D3D12): this library's
  cross-entropy forward (lib) and fused with the gradient (lib-grad, lib-grad-new) against the
  roofs (roof-read, roof-rw, roof-exp) on the same adapter, GPU time from timestamp queries.
  --shapes       default 4096x10,16384x100,1024x1000,256x32000,64x50257,8x128256,2048x32000
  --iters        most warm calls per shape x implementation (default 30; --quick 5)
  --budget       seconds of warm calls per shape x implementation (default 2; --quick 0.6)
  --impls        lib, lib-grad, lib-grad-new (default all); the roofs always run
  --swiftshader  SwiftShader's CPU Vulkan instead of the GPU (also BENCH_GPU_SWIFTSHADER=1; the
                 driver's manifest from SWIFTSHADER_ICD or Chromium's); used anyway when Dawn finds no GPU
  --table        print the full table too (it is always in the HTML report and the JSON)
  --out          the JSON (default bench/results/local/latest.json); the HTML report goes beside it
  --reference    merge bench/torch_reference.py's JSON (PyTorch CUDA on the same GPU) into the report
  --render       measure nothing: summary and HTML again from saved results (with --reference, merged)
  --reference-args   print the torch_reference.py flags for these shapes and iterations, and exit`;

export interface NodeOptions extends RawOptions {
  help?: boolean;
  swiftshader?: boolean;
  out?: string;
  reference?: string;
  render?: string;
  table?: boolean;
  referenceArgs?: boolean;
}

export function parseNodeArgs(argv: string[]): NodeOptions {
  const o = parseFlags(argv, {
    ...COMMON_FLAGS,
    '--swiftshader': ['swiftshader', 'flag'],
    '--reference': ['reference', 'path'],
    '--reference-args': ['referenceArgs', 'flag'],
  }) as NodeOptions;
  if (process.env.BENCH_GPU_SWIFTSHADER === '1') o.swiftshader = true;
  return o;
}
