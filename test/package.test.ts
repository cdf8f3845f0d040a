// The built package: `npm run build` produces what package.json's exports promise, the shaders
// travel inside dist/, and the built oracle runs.
import { describe, it, expect, beforeAll } from 'vitest';
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('built package', () => {
  beforeAll(() => {
    execSync('npm run build', { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  it('has every file its exports map names, types first', () => {
    for (const [sub, entry] of Object.entries(pkg.exports as Record<string, Record<string, string>>)) {
      expect(Object.keys(entry)[0], `${sub}: types must come first`).toBe('types');
      for (const file of Object.values(entry)) expect(existsSync(join(ROOT, file)), `${sub} -> ${file}`).toBe(true);
    }
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
    const js = load(join(ROOT, 'dist/index.js'));
    for (const marker of ['fn online_push', 'fn prepare', 'fn reduce_row', 'enable subgroups']) expect(js).toContain(marker);
  });

  it('the built oracle computes the seeds\' example', async () => {
    const ref = await import(pathToFileURL(join(ROOT, 'dist/reference.js')).href);
    const r = ref.crossEntropy({ data: [0.4, 0.3, 0.1, 0.1], shape: [4] }, { data: [0], shape: [] }, { from: 'probs', base: 2 });
    expect(r.loss[0]).toBeCloseTo(-Math.log2(0.4), 12);
  });
});
