// npm's `prepare`: builds dist/ when a file the exports map names is missing. That is what a git
// dependency needs (npm installs it from a fresh clone, running only `prepare`); in a checkout
// that has built once, `npm ci` / `npm install` stay fast. Packing and publishing rebuild
// unconditionally (`prepack`), so a stale dist/ is never shipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { ROOT_DIR } from './paths.mjs';

const { exports } = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8'));
const missing = Object.values(exports).flatMap((e) => Object.values(e)).filter((f) => !existsSync(join(ROOT_DIR, f)));
if (missing.length) {
  console.log(`Building dist/ (${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more files are` : ' is'} missing)...`);
  execSync('npm run build', { cwd: ROOT_DIR, stdio: 'inherit' });
}
