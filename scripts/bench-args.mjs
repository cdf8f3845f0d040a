// Command-line flags of the benchmarks (`npm run bench`, `npm run bench:gpu`): one parser, one
// meaning per flag. Plain ESM so scripts/ runs it without a build; bench/node bundles it.
import { relative, resolve } from 'node:path';

/** Flags both benchmarks take: flag → [option key, kind]. */
export const COMMON_FLAGS = {
  '--quick': ['quick', 'flag'],
  '--shapes': ['shapes', 'string'],
  '--impls': ['impls', 'string'],
  '--iters': ['iters', 'number'],
  '--budget': ['budgetMs', 'seconds'],
  '--seed': ['seed', 'number'],
  '--out': ['out', 'path'],
  '--render': ['render', 'path'],
  '--table': ['table', 'flag'],
};

/**
 * Parses `argv` against `flags`; `--flag value` and `--flag=value` both work. Returns the options,
 * with `help: true` for -h/--help; throws on an unknown flag or a missing value.
 */
export function parseFlags(argv, flags) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s, 2) : [a, undefined];
    if (flag === '-h' || flag === '--help') return { help: true };
    const spec = flags[flag];
    if (!spec) throw new Error(`unknown option ${a}`);
    const [key, kind] = spec;
    if (kind === 'flag') {
      o[key] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    o[key] = kind === 'number' ? Number(v) : kind === 'seconds' ? Number(v) * 1000 : kind === 'path' ? resolve(v) : v;
  }
  return o;
}

/** A path as the benchmarks print it: relative below the working directory (short enough for
 *  their 100 columns), else as given. */
export function shownPath(file) {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
