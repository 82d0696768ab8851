/**
 * Finding one's way: `pylogen list`, `pylogen <cut> --help`, every bad line of a scenario at once,
 * and the summary table in the order of the scenario's lines.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, pylogen, tempDir } from './helpers.js';

const dir = tempDir();
mkdirSync(join(dir, 'cuts'));
writeFileSync(
  join(dir, 'cuts', 'Mine.ts'),
  `/** My own CUT: checks a thing. More words here. */
import { ClassUnderTest, type Operation } from 'pylogen';
export class Mine extends ClassUnderTest<{ target?: string }> {
  static override readonly extraKeys = { target: 'what to check (default "all")' };
  func(op: Operation) { return op.time('CHECK', () => undefined); }
}
`,
);

describe.concurrent('discovery', () => {
  it('pylogen list: ./cuts first, then every shipped CUT, each with its one-line description', async () => {
    const r = await pylogen(['list'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Mine +My own CUT: checks a thing {2}\(cuts\/Mine\.ts\)$/);
    // then the package's own, by name (AzureKeyVault* sort before Dummy)
    expect(lines.slice(1).filter((l) => l !== '')).toEqual([...lines.slice(1).filter((l) => l !== '')].sort());
    expect(r.stdout).toMatch(/^Dummy +PYLOGEN's Dummy CUT: an operation that sleeps$/m);
    const shipped = readdirSync(join(ROOT, 'cuts'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    for (const name of shipped) expect(r.stdout).toMatch(new RegExp(`^${name} +\\S`, 'm'));
    expect(r.stdout).toMatch(/^KmsEncryptDecrypt +A round trip, transaction ENCRYPT-DECRYPT$/m);
  });

  it('pylogen cuts.Dummy --help: what it does, its requests, its --extra keys and their defaults', async () => {
    for (const name of ['cuts.Dummy', 'Dummy']) {
      const r = await pylogen([name, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/an operation that sleeps/);
      expect(r.stdout).toMatch(/^requests: R0-EXEC$/m);
      expect(r.stdout).toMatch(/^--extra keys:\n {2}sleep +seconds each request sleeps \(default 0\.1/m);
      expect(r.stdout).toMatch(/^ {2}error +.*\(default 0/m);
    }
  });

  it("a KMS CUT's --help names its requests and documents its --extra keys; a user CUT's, its declared keys", async () => {
    const kms = await pylogen(['cuts.KmsEncryptDecrypt', '--help']);
    expect(kms.code, kms.stderr).toBe(0);
    expect(kms.stdout).toMatch(/^requests: ENCRYPT, DECRYPT$|^requests: DECRYPT, ENCRYPT$/m);
    expect(kms.stdout.replace(/\s+/g, ' ')).toMatch(/--extra: file, key \(an ENCRYPT_DECRYPT key, default symmetric1\), context/);
    const mine = await pylogen(['Mine', '-h'], { cwd: dir });
    expect(mine.stdout).toMatch(/^requests: CHECK$/m);
    expect(mine.stdout).toMatch(/^ {2}target +what to check \(default "all"\)$/m);
  });

  it('every shipped CUT shows its --extra key table in --help, with every key its class reads', async () => {
    // In-process from dist/: the shipped CUTs are compiled there and extend dist's ClassUnderTest.
    const { cutHelp } = (await import(pathToFileURL(join(ROOT, 'dist/cli/cutHelp.js')).href)) as { cutHelp: (arg: string, cwd: string) => Promise<string> };
    const { loadCut, findCut } = (await import(pathToFileURL(join(ROOT, 'dist/cut/load.js')).href)) as {
      loadCut: (name: string, path: string) => Promise<Record<string, unknown>>;
      findCut: (arg: string, cwd: string) => { name: string; path: string };
    };
    const shipped = readdirSync(join(ROOT, 'cuts'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    for (const name of shipped) {
      const help = await cutHelp(`cuts.${name}`, ROOT);
      const table = help.slice(help.indexOf('--extra keys:'));
      expect(help, name).toMatch(/^--extra keys:/m);
      const listed = new Set([...table.matchAll(/^ {2}(\w+) {2,}\S/gm)].map((m) => m[1]));
      // what its file reads: `extra.X`, `(… extra as T).X`, `const { X, Y } = plan.extra`
      const source = readFileSync(join(ROOT, 'cuts', `${name}.ts`), 'utf8');
      const read = [
        ...[...source.matchAll(/extra(?: as [^)]*\))?\??\.(\w+)/g)].map((m) => m[1]!),
        ...[...source.matchAll(/\{([\w\s,]+)\}\s*=\s*(?:plan\.|this\.)?extra\b/g)].flatMap((m) => m[1]!.split(',').map((k) => k.trim())),
      ];
      for (const key of read) expect([...listed], `${name} reads --extra "${key}"`).toContain(key);
      // what its base reads: the key file and the key, when the CUT uses a key
      const cls = await loadCut(name, findCut(`cuts.${name}`, ROOT).path);
      const keyed = ['kms', 'pkcs11', 'kmip', 'vault', 'gcp', 'azure'].some((p) => (cls[p] as { defaultKey?: string } | undefined)?.defaultKey !== undefined);
      if (keyed) expect([...listed], name).toEqual(expect.arrayContaining(['file', 'key']));
    }
  });

  it('a scenario with three bad lines: each reported, FILE:LINE, one line each, exit 2, nothing started', async () => {
    writeFileSync(
      join(dir, 'bad.txt'),
      ['cuts.Dummy --loops 1', 'cuts.Dummy --loops zero', '# a comment', 'cuts.Dummy --extra \'{"slep":0}\'', 'cuts.Nope', "cuts.Dummy --extra '{oops"].join(
        '\n',
      ),
    );
    const r = await pylogen(['scenario', '--file', 'bad.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^pylogen: bad\.txt:2: --loops must be a whole number/);
    expect(lines[1]).toMatch(/^pylogen: bad\.txt:4: Dummy: --extra: unknown member "slep"/);
    expect(lines[2]).toMatch(/^pylogen: bad\.txt:5: CUT "cuts\.Nope"/);
    expect(lines[3]).toMatch(/^pylogen: bad\.txt:6: unterminated single quote/);
  });

  it('every shipped CUT refuses an --extra key it does not take (one scenario: every line reported)', async () => {
    const shipped = readdirSync(join(ROOT, 'cuts'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    writeFileSync(join(dir, 'allcuts.txt'), shipped.map((c) => `cuts.${c} --extra '{"zzz":1}'`).join('\n'));
    const r = await pylogen(['scenario', '--file', 'allcuts.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(shipped.length);
    shipped.forEach((c, i) =>
      expect(lines[i]).toMatch(new RegExp(`^pylogen: allcuts\\.txt:${i + 1}: ${c}: .*--extra: unknown member "zzz" \\(this CUT takes`)),
    );
  });

  it("the summary table follows the file's lines, each transaction row next to its requests", async () => {
    writeFileSync(
      join(dir, 'order.txt'),
      ['cuts.Dummy --id zeta --loops 3 --extra \'{"sleep":0,"transaction":true}\'', 'cuts.Dummy --id alpha --loops 3 --extra \'{"sleep":0}\''].join('\n'),
    );
    const r = await pylogen(['scenario', '--file', 'order.txt', '--outformat', 'none'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stderr
      .split('\n')
      .filter((l) => /^(zeta|alpha) +Dummy +(req|tra) /.test(l))
      .map((l) => l.split(/\s+/).slice(0, 4).join(' '));
    expect(rows).toEqual(['zeta Dummy tra T-EXEC', 'zeta Dummy req R0-EXEC', 'zeta Dummy req R1-EXEC', 'zeta Dummy req R2-EXEC', 'alpha Dummy req R0-EXEC']);
  });
});
