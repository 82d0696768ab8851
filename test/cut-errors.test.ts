/**
 * A CUT that is not what its author thinks (issue 19 §2): each mistake is one clear message that
 * says where and what to do, exit 2, nothing started; a CUT given by its file's path runs. Real CLI,
 * real CUT files in a fresh folder, loaded through the real module hooks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { pylogen, readJson, tempDir } from './helpers.js';

// Each test starts the CLI (a node start, a CUT load, for some the AWS SDK): seen at 20 s each at load average 35.
vi.setConfig({ testTimeout: 120_000 });

const HEADER = "import { ClassUnderTest, type Operation } from 'pylogen';\n";

/** A fresh folder with cuts/ holding the given files (name -> source). */
function folder(files: Record<string, string>): string {
  const dir = tempDir('pylogen-cut-errors-');
  mkdirSync(join(dir, 'cuts'));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, 'cuts', name), source);
  return dir;
}

/** The CLI on a 2-operation run in `dir`: it must be refused before any runner starts. */
async function refused(dir: string, cut: string): Promise<string[]> {
  const r = await pylogen([cut, '--loops', '2', '--outformat', 'none'], { cwd: dir, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/runner|summary/);
  return r.stderr.trimEnd().split('\n');
}

describe('a CUT that cannot be loaded says where and why: exit 2, nothing started', () => {
  it('a .ts CUT with a syntax error: file:line:col: the message, the source line and a caret (3 lines)', async () => {
    const dir = folder({ 'Syn.ts': `${HEADER}export class Syn extends ClassUnderTest {\n  async func() {\n    const x = ;\n  }\n}\n` });
    const path = join(dir, 'cuts/Syn.ts');
    const lines = await refused(dir, 'Syn');
    expect(lines).toEqual([
      `pylogen: CUT ${path}: cannot be loaded: ${path}:4:15: Unexpected ";"`,
      'pylogen:         const x = ;',
      // the caret under column 15 (from 1) of the source line, both indented alike
      `pylogen:     ${' '.repeat(14)}^`,
    ]);
  });

  it('a .mjs CUT with a syntax error: the same (Node gives no place: the compiler finds it)', async () => {
    const dir = folder({ 'SynM.mjs': `import { ClassUnderTest } from 'pylogen';\nexport class SynM extends ClassUnderTest {\n  func() { return 1 +; }\n}\n` });
    const lines = await refused(dir, 'SynM');
    expect(lines[0]).toBe(`pylogen: CUT ${join(dir, 'cuts/SynM.mjs')}: cannot be loaded: ${join(dir, 'cuts/SynM.mjs')}:3:22: Unexpected ";"`);
    expect(lines).toHaveLength(3);
  });

  it('a package the CUT imports that is not installed: which one, imported by which file, and npm install', async () => {
    const dir = folder({
      'Missing.ts': `${HEADER}import pad from 'pylogen-no-such-package/sub';\nexport class Missing extends ClassUnderTest {\n  func() { pad(); }\n}\n`,
    });
    expect(await refused(dir, 'Missing')).toEqual([
      `pylogen: CUT ${join(dir, 'cuts/Missing.ts')}: cannot be loaded: the package "pylogen-no-such-package" imported by ${join(dir, 'cuts/Missing.ts')} ` +
        "is not installed: npm install pylogen-no-such-package (in the CUT's folder or pylogen's)",
    ]);
  });

  it('a CommonJS .js CUT: it says that a pylogen CUT is an ES module, and which file', async () => {
    const cjs = "const { ClassUnderTest } = require('pylogen');\nclass Cjs extends ClassUnderTest { func() {} }\nmodule.exports = { Cjs };\n";
    const dir = folder({ 'Cjs.js': cjs });
    const [line] = await refused(dir, 'Cjs');
    expect(line).toBe(
      `pylogen: CUT ${join(dir, 'cuts/Cjs.js')}: cannot be loaded: it is CommonJS (require / module.exports), and a pylogen CUT is an ES module: ` +
        "write `import { ClassUnderTest } from 'pylogen'` and `export class`, in a .mjs or .ts file",
    );
    // In a folder whose package.json says "type": "module", the same file fails otherwise (require is not defined): the same message.
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    expect((await refused(dir, 'Cjs'))[0]).toContain('it is CommonJS (require / module.exports)');
  });

  it('a CUT class without func() is refused when loaded, naming the file and the class', async () => {
    const dir = folder({ 'NoFunc.ts': `${HEADER}export class NoFunc extends ClassUnderTest {\n  async setup() {}\n}\n` });
    expect(await refused(dir, 'NoFunc')).toEqual([
      `pylogen: CUT ${join(dir, 'cuts/NoFunc.ts')}: class NoFunc has no func() method: func(op) is called once per operation and times its requests (docs/writing-a-cut.md)`,
    ]);
  });
});

describe('a CUT that times no request', () => {
  it('exits 0 and says how to time a request', async () => {
    const dir = folder({ 'NoReq.ts': `${HEADER}export class NoReq extends ClassUnderTest {\n  func(op: Operation) { return op.step; }\n}\n` });
    const r = await pylogen(['NoReq', '--loops', '2', '--outformat', 'none'], { cwd: dir, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'no request was recorded: the CUT timed none; time each request in func() with a method decorated with @exec, or with op.time(NAME, fn) (docs/writing-a-cut.md)',
    );
  });
});

describe('a CUT given by the path of its file', () => {
  const source = `${HEADER}export class ByPath extends ClassUnderTest {\n  func(op: Operation) { return op.time('STEP', () => op.step); }\n}\n`;

  it.each([
    ['relative, ./cuts/ByPath.ts', './cuts/ByPath.ts', 'ts'],
    ['relative, without ./', 'cuts/ByPath.mjs', 'mjs'],
    ['absolute', '', 'ts'],
  ])('%s runs it, the class named like the file', async (_name, arg, ext) => {
    const dir = folder({});
    const file = join(dir, 'cuts', `ByPath.${ext}`);
    writeFileSync(file, ext === 'ts' ? source : source.replace(', type Operation', '').replace('(op: Operation)', '(op)'));
    const json = join(dir, 's.json');
    const r = await pylogen([arg === '' ? file : arg, '--loops', '3', '--outformat', 'none', '--summary-json', json], { cwd: dir, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(json).requests).toMatchObject({ count: 3, errors: 0 });
  });

  it('--help of a path, and a path that is not there (exit 2, the resolved path named)', async () => {
    const dir = folder({ 'ByPath.ts': `/** Times a step. */\n${source}` });
    const help = await pylogen(['./cuts/ByPath.ts', '--help'], { cwd: dir, timeoutMs: 90_000 });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('requests: STEP');
    // a file name with no folder that is not a file here: the CUT of that name
    const named = await pylogen(['ByPath.ts', '--help'], { cwd: dir, timeoutMs: 90_000 });
    expect(named.stdout).toContain(`(${join(dir, 'cuts/ByPath.ts')})`);
    const r = await pylogen(['./cuts/Nope.ts', '--loops', '1'], { cwd: dir, timeoutMs: 90_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`pylogen: CUT "./cuts/Nope.ts": no such file (${join(dir, 'cuts/Nope.ts')})`);
  });
});
