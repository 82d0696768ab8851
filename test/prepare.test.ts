/**
 * npm's `prepare` (scripts/prepare.js): `npx pylogen` in a clone runs it before pylogen starts, so it
 * must not rebuild a current dist/ (a whole tsc build, docs/performance.md), and must build when a
 * source is newer than the last build, or when there was none (a fresh clone's `npm install`).
 * Real `npm run prepare` in a package of the same layout whose build only counts its calls and
 * writes the stamp as the real build does last.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, readJson, tempDir } from './helpers.js';

const PREPARE = join(ROOT, 'scripts/prepare.js');
const dir = tempDir('pylogen-prepare-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run prepare` in the fixture: its stderr, and how many times the build has run so far. */
function prepare(): { stderr: string; builds: number } {
  const r = spawnSync('npm', ['run', '--silent', 'prepare'], { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  expect(r.status, r.stderr).toBe(0);
  const log = join(dir, 'builds.log');
  return { stderr: r.stderr, builds: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0 };
}

describe('npm run prepare', () => {
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'cuts'));
  writeFileSync(join(dir, 'src', 'index.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'cuts', 'Dummy.ts'), 'export {};\n');
  writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
  writeFileSync(join(dir, 'build.js'), `import { appendFileSync } from 'node:fs';\nappendFileSync('builds.log', 'built\\n');\n`);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'fixture',
      version: '1.0.0',
      type: 'module',
      scripts: { build: `node build.js && node ${JSON.stringify(PREPARE)} --stamp`, prepare: `node ${JSON.stringify(PREPARE)}` },
    }),
  );

  it('builds when there is no dist/ (a fresh clone)', () => {
    expect(prepare().builds).toBe(1);
    expect(existsSync(join(dir, 'dist', '.build-stamp'))).toBe(true);
  });

  it('does not build when dist/ is newer than every source, and says so', () => {
    const r = prepare();
    expect(r.builds).toBe(1);
    expect(r.stderr).toMatch(/dist\/ is current/);
  });

  it('builds when a source is newer than the last build', () => {
    const later = statSync(join(dir, 'dist', '.build-stamp')).mtimeMs / 1000 + 5;
    utimesSync(join(dir, 'cuts', 'Dummy.ts'), later, later);
    expect(prepare().builds).toBe(2);
    // the build's stamp is newer again: the next prepare does nothing
    utimesSync(join(dir, 'dist', '.build-stamp'), later + 1, later + 1);
    expect(prepare().builds).toBe(2);
    utimesSync(join(dir, 'src', 'index.ts'), later + 2, later + 2);
    expect(prepare().builds).toBe(3);
  });

  it("is the package's prepare, and the package's build writes the stamp last (npm run build always builds)", () => {
    const scripts = readJson(join(ROOT, 'package.json')).scripts as Record<string, string>;
    expect(scripts.prepare).toBe('node scripts/prepare.js');
    expect(scripts.build).toMatch(/^tsc -p tsconfig.json && .*&& node scripts\/prepare.js --stamp$/);
    // the stamp step itself builds nothing: it only writes the stamp
    expect(execFileSync('node', [PREPARE, '--stamp'], { cwd: dir, encoding: 'utf8' })).toBe('');
  });
});
