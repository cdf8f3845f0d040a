// The package as a user gets it: `npm pack` (which builds dist/), the tarball installed into a
// new project with nothing else, and a consumer there that imports every entry. Its TypeScript
// is checked under bundler, node16 and nodenext resolution (strict, no skipLibCheck), without
// the optional peers, and with TypeScript 6 (whose DOM lib declares WebGPU itself); then it runs: the built oracle, and one GPU call through Dawn. A second
// project checks the TF.js adapter's types with TF.js installed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { vulkanIcd } from './node/dawn';
import { assertClose } from './util/allclose';
import { TOL } from './util/tolerances';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TSC6 = join(ROOT, 'node_modules', 'typescript-6', 'bin', 'tsc');
const version = (name: string): string => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

// Every entry, its main symbols typed. The adapters are only typed (their peers are absent);
// the rest runs.
const CONSUMER = (icd: string) => `
import { WebGPULoss, ShapeError, createLoss, type CrossEntropyOptions, type GpuTensor, type TensorLike } from 'webgpu-loss';
import * as ref from 'webgpu-loss/reference';
import { createNodeLoss, type NodeCreateOptions } from 'webgpu-loss/node';
import { TfjsLoss, type Tfjs } from 'webgpu-loss/tfjs';
import { OrtLoss, isOrtTensor, type OrtLike, type OrtTensorLike } from 'webgpu-loss/onnxruntime';

export async function withTfjs(tf: Tfjs): Promise<WebGPULoss> {
  const tl: TfjsLoss = await TfjsLoss.create(tf);
  return tl.wl;
}
export async function withOrt(ort: OrtLike, x: OrtTensorLike, labels: TensorLike): Promise<GpuTensor> {
  const ol: OrtLoss = await OrtLoss.create(ort);
  return (await ol.crossEntropy(x, labels, { reduction: 'none' })).loss;
}
export { createLoss, isOrtTensor };

const logits: TensorLike = { data: [2, 1, 0.1, 0.5, -1, 3], shape: [2, 3] };
const labels: TensorLike = { data: new Int32Array([0, 2]), shape: [2] };
const opts: CrossEntropyOptions = { reduction: 'none' };
const oracle: Float64Array = ref.crossEntropy(logits, labels, opts).loss;

let shapeError = false;
try {
  ref.softmax({ data: [1, 2, 3], shape: [2, 2] });
} catch (e) {
  shapeError = e instanceof ShapeError;
}

const nodeOpts: NodeCreateOptions = { vulkanIcd: ${JSON.stringify(icd)} };
const wl: WebGPULoss = await createNodeLoss(nodeOpts);
const same: WebGPULoss = await WebGPULoss.create({ device: wl.device });
const gpu: GpuTensor = (await same.crossEntropy(logits, labels, opts)).loss;
const result = { oracle: Array.from(oracle), gpu: Array.from(await gpu.read()), shapeError, backend: wl.backend };
same.dispose();
wl.dispose();
console.log(JSON.stringify(result));
`;

// The TF.js adapter with TF.js installed: its real types, strict and without skipLibCheck too.
const TFJS_CONSUMER = `
import * as tf from '@tensorflow/tfjs-core';
import { TfjsLoss, type TfjsLossOutputs } from 'webgpu-loss/tfjs';

export async function loss(logits: tf.Tensor2D, labels: tf.Tensor1D): Promise<tf.Tensor> {
  const tl = await TfjsLoss.create(tf);
  const out: TfjsLossOutputs = await tl.crossEntropy(logits, labels, { grad: true });
  return out.loss;
}
`;

const RESOLUTIONS = { bundler: 'esnext', node16: 'node16', nodenext: 'nodenext' } as const;

let tmp: string;
let app: string;
let tfApp: string;
let packed: { files: { path: string }[] };

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

const npmInstall = (cwd: string, specs: string[]) => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], cwd);

function tsconfig(dir: string, resolution: keyof typeof RESOLUTIONS, files: string[], emit = false): string {
  const file = join(dir, `tsconfig.${resolution}.json`);
  const compilerOptions = {
    target: 'ES2022', module: RESOLUTIONS[resolution], moduleResolution: resolution,
    // Every declaration file under node_modules is checked; TypeScript's own lib files (most of
    // tsc's time) are not ours to check.
    strict: true, skipLibCheck: false, skipDefaultLibCheck: true, ...(emit ? { outDir: 'out' } : { noEmit: true }),
  };
  writeFileSync(file, JSON.stringify({ compilerOptions, files }));
  return file;
}

describe('the packed package, installed into a new project', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'webgpu-loss-package-'));
    // prepack (the build) prints to stdout before npm's JSON report.
    const out = await run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT);
    [packed] = JSON.parse(out.slice(out.startsWith('[') ? 0 : out.lastIndexOf('\n[') + 1));
    const tarball = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);
    const project = async (name: string, consumer: string, deps: string[]): Promise<string> => {
      const dir = join(tmp, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
      writeFileSync(join(dir, 'consumer.ts'), consumer);
      await npmInstall(dir, [tarball, ...deps]);
      return dir;
    };
    [app, tfApp] = await Promise.all([
      // `webgpu` is an optional peer: a Node user installs it next to the library.
      project('app', CONSUMER(vulkanIcd()), [`webgpu@${version('webgpu')}`]),
      // tfjs-core pins @webgpu/types 0.1.38; the library's range takes that version, so npm keeps
      // one copy of the WebGPU globals (two copies conflict in tsc).
      project('tfjs-app', TFJS_CONSUMER, [`@tensorflow/tfjs-core@${version('@tensorflow/tfjs-core')}`]),
    ]);
  }, 180_000);
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the built entries and declarations, and nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const [sub, entry] of Object.entries(pkg.exports as Record<string, Record<string, string>>)) {
      // The versioned condition first (TypeScript takes the first that matches), then the plain one.
      expect(Object.keys(entry).slice(0, 2), `${sub}: types must come first`).toEqual(['types@>=6.0', 'types']);
      for (const file of Object.values(entry)) expect(files, `${sub} -> ${file}`).toContain(file.replace(/^\.\//, ''));
    }
    expect(files.filter((f) => !/^dist\/(ts6\/)?(chunks\/)?[\w-]+\.(js|d\.ts)$/.test(f))).toEqual(['LICENSE', 'README.md', 'package.json']);
    // TypeScript 6's declarations are the others', without the @webgpu/types reference.
    const dts = files.filter((f) => /^dist\/(chunks\/)?[\w-]+\.d\.ts$/.test(f));
    expect(files.filter((f) => f.startsWith('dist/ts6/'))).toEqual(dts.map((f) => f.replace('dist/', 'dist/ts6/')).sort());
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.type).toBe('module');
  });

  it('carries its WGSL inside dist/', () => {
    // index.js and the chunks it imports (shared with the subpath entries).
    const seen = new Set<string>();
    const load = (file: string): string => {
      if (seen.has(file)) return '';
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      const deps = [...text.matchAll(/from\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => join(dirname(file), m[1]));
      return text + deps.map(load).join('\n');
    };
    const js = load(join(app, 'node_modules', 'webgpu-loss', 'dist', 'index.js'));
    for (const marker of ['fn online_push', 'fn prepare', 'fn reduce_row', 'enable subgroups']) expect(js).toContain(marker);
  });

  it('declares the public API only', () => {
    const dist = join(app, 'node_modules', 'webgpu-loss', 'dist');
    const dts = [...readdirSync(dist), ...readdirSync(join(dist, 'chunks')).map((f) => `chunks/${f}`)]
      .filter((f) => f.endsWith('.d.ts')).map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
    for (const internal of ['engineOf', 'GpuContext', 'FAMILIES']) expect(dts).not.toContain(internal);
  });

  it('type-checks a consumer of every entry under bundler, node16 and nodenext resolution', async () => {
    await Promise.all((Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[]).map((resolution) =>
      run(process.execPath, [TSC, '-p', tsconfig(app, resolution, ['consumer.ts'], resolution === 'nodenext')], app)));
    expect(existsSync(join(app, 'out', 'consumer.js'))).toBe(true);
  }, 60_000);

  it('type-checks the same consumer with TypeScript 6, whose DOM lib declares WebGPU', async () => {
    expect(version('typescript-6')).toMatch(/^6\./);
    await Promise.all((['bundler', 'nodenext'] as const).map((resolution) =>
      run(process.execPath, [TSC6, '-p', tsconfig(app, resolution, ['consumer.ts'])], app)));
  }, 60_000);

  it('runs the consumer: the built oracle, and the same loss on the GPU through Dawn', async () => {
    const r = JSON.parse((await run(process.execPath, [join(app, 'out', 'consumer.js')], app)).trim().split('\n').pop()!);
    expect(r.shapeError).toBe(true);
    expect(r.backend).toBe('webgpu');
    // log(1 + e^-1 + e^-1.9) for row 0, from the float64 oracle; the GPU in float32.
    assertClose([r.oracle[0]], [Math.log(1 + Math.exp(-1) + Math.exp(-1.9))], TOL.tight, 'oracle');
    expect(r.gpu).toHaveLength(2);
    assertClose(r.gpu, r.oracle, TOL.loss, 'GPU');
  }, 60_000);

  it('type-checks the TF.js adapter against TF.js itself, installed alongside', async () => {
    await run(process.execPath, [TSC, '-p', tsconfig(tfApp, 'nodenext', ['consumer.ts'])], tfApp);
  }, 60_000);
});
