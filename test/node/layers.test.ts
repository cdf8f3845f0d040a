// The house's import rules, read from the source: the contract imports nothing of the library,
// the oracle and the GPU side never import each other, and the interop adapters use the public
// API only. A violation names the file and the import.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file, as paths under src/ (or '../shaders/...' for WGSL). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s.replace(/\?raw$/, ''))));
}

/** What each layer may import, by path prefix under src/ ('..' covers the shaders). */
const RULES: [layer: string, allowed: string[]][] = [
  ['contract/', ['contract/']],
  ['reference/', ['reference/', 'contract/']],
  // The engine assembles each family's WGSL from its layout table (its declared interface).
  ['gpu/', ['gpu/', 'contract/', '../shaders/', 'kernels/layouts/']],
  ['kernels/layouts/', ['kernels/layouts/']],
  ['kernels/', ['kernels/', 'gpu/', 'contract/']],
  // The adapters use the public API, and the contract's shared checks (options, tensors, buffers).
  ['interop/', ['index', 'contract/']],
];

describe('layers', () => {
  const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));

  it('finds the source and its imports', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.find((f) => f.file === 'kernels/cross-entropy.ts')?.imports).toContain('contract/configs/cross-entropy');
  });

  for (const [layer, allowed] of RULES) {
    it(`${layer} imports only ${allowed.join(', ')}`, () => {
      const bad = all.filter((f) => f.file.startsWith(layer))
        .flatMap((f) => f.imports.filter((i) => !allowed.some((a) => i === a || i.startsWith(a))).map((i) => `${f.file} -> ${i}`));
      expect(bad).toEqual([]);
    });
  }

  it('the public API (index.ts) exposes no engine internals', () => {
    const index = readFileSync(join(SRC, 'index.ts'), 'utf8');
    for (const internal of ['engineOf', 'GpuContext', 'PipelineCache', 'Submitter', 'TensorStore', 'Uniforms']) expect(index).not.toContain(internal);
  });
});
