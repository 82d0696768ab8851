#!/usr/bin/env node
// npm's `prepare` script: builds dist/ unless it is current. `npx pylogen` in a clone makes npm exec
// "install" the clone into its cache, which runs `prepare` in the clone (libnpmexec: a local
// package.json with a bin of that name is installed as a file: package): a whole tsc build, 7-60 s
// before pylogen's first line (docs/performance.md). dist/ is current when the stamp that the build
// writes last (`node scripts/prepare.js --stamp`, the end of `npm run build`) is newer than every
// input of the build: a fresh clone (no dist/), a pull or an edit rebuild; `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the build reads (relative to the package's folder); a missing one is skipped. */
const INPUTS = ['src', 'cuts', 'scripts/build-cuts.js', 'tsconfig.json', 'package.json'];
const STAMP = join('dist', '.build-stamp');

const root = process.cwd();

/** The newest modification time (ms) of a file or of the files under a folder. */
function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let n = s.mtimeMs;
  for (const e of readdirSync(path)) n = Math.max(n, newest(join(path, e)));
  return n;
}

if (process.argv[2] === '--stamp') {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, STAMP), `${new Date().toISOString()}\n`);
} else {
  const stamp = join(root, STAMP);
  const inputs = INPUTS.map((p) => join(root, p)).filter((p) => existsSync(p));
  const current = existsSync(stamp) && inputs.every((p) => newest(p) <= statSync(stamp).mtimeMs);
  if (current) {
    process.stderr.write('pylogen prepare: dist/ is current (newer than src/, cuts/, tsconfig.json): not rebuilt; npm run build rebuilds\n');
  } else {
    // the build as package.json says it, through the npm that runs this script when there is one
    const npm = process.env.npm_execpath ?? '';
    const r = /npm-cli\.js$/.test(npm)
      ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' })
      : spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  }
}
