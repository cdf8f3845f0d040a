// The runner's host in Node: the roofs and this library on Dawn, GPU time from timestamp queries.
import { createRequire } from 'node:module';
import { NODE_IMPLS } from '../impls/node';
import type { BenchHost } from '../runner';
import { chooseDawn } from './dawn';

const METHOD = [
  'GPU time: every warm call of the library and of the roofs is bracketed by two submits of one empty compute pass each: one writing a timestamp at the pass\'s beginning just before the call, one writing a timestamp at the pass\'s end just after the call has submitted its work (and before its readback). A queue runs submissions in order, so the span covers the call\'s GPU work (its uniform upload and every dispatch) plus the two empty passes; the library is used through its public API only. The span is read back after the call\'s own readback, outside the wall time. An empty bracket (nothing between the two passes) is timed per shape: that floor is included in every GPU time of the shape. Dawn\'s timestamp quantization is turned off (disable-dawn-features=timestamp_quantization). Wall times include the bracket\'s two extra submits and the query resolve, for the roofs as for the library.',
  'GB/s and of roof on GPU time: the same ratios from the GPU medians; the targets and the terminal summary use them where present.',
];

const PEERS_OMITTED = 'none in Node: TF.js has no WebGPU backend there (its WebGPU backend needs a browser), and its CPU backends say nothing about a GPU; `npm run bench` compares them in Chromium.';

function bindingVersion(): string {
  try {
    return (createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function nodeHost(swiftshader: boolean, say: (line: string) => void): Promise<BenchHost> {
  const dawn = await chooseDawn(swiftshader, say);
  return {
    impls: NODE_IMPLS,
    createLoss: dawn.createLoss,
    userAgent: `Node ${process.version} (${process.platform} ${process.arch}), Dawn's binding webgpu ${bindingVersion()}${dawn.swiftshader ? `, SwiftShader ICD ${dawn.swiftshader}` : ''}`,
    backend: dawn.backend,
    peers: () => ({ omitted: PEERS_OMITTED }),
    timestamps: true,
    method: METHOD,
  };
}
