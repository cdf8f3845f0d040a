// `npm run bench:gpu`: builds the Node benchmark (scripts/build-bench-gpu.mjs) and runs it on
// this machine's GPU through Dawn, or on SwiftShader with --swiftshader or when there is no GPU.
// Results go to bench/results/local/latest.json and latest.html unless --out says otherwise.
//
//   npm run bench:gpu -- --quick --shapes 1024x1000,256x32000
//   npm run bench:gpu -- --swiftshader --iters 10
//   npm run bench:gpu -- --render bench/results/local/latest.json --reference torch.json
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildBenchGpu } from './build-bench-gpu.mjs';
import { ROOT_DIR } from './paths.mjs';

const args = process.argv.slice(2);
const wantsHelp = args.some((a) => a === '-h' || a === '--help');
const hasOut = args.some((a) => a === '--out' || a.startsWith('--out=') || a === '--render' || a.startsWith('--render='));
if (!hasOut && !wantsHelp) args.push('--out', join(ROOT_DIR, 'bench', 'results', 'local', 'latest.json'));

// Beside node_modules/webgpu, which the built module imports at run time.
const file = await buildBenchGpu(join(ROOT_DIR, 'node_modules', '.cache', 'webgpu-loss-bench-gpu'));
const run = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
