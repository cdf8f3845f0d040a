// The commit a benchmark measures, recorded in its results.
import { execFileSync } from 'node:child_process';
import { ROOT_DIR } from './paths.mjs';

/** The commit, and the library files that differ from it (read-only git queries); undefined
 *  outside a git checkout. */
export function sourceInfo() {
  try {
    const git = (...a) => execFileSync('git', a, { cwd: ROOT_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', '--short=12', 'HEAD').trim();
    // Porcelain lines are "XY path": the status letters may start with a space, so no trim here.
    const dirty = git('status', '--porcelain', '--', 'src', 'shaders').split('\n').filter(Boolean).map((l) => l.slice(3));
    return { commit, dirty };
  } catch {
    return undefined; // not a git checkout
  }
}
