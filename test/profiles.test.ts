/**
 * Profiles (--defaults FILE, any unambiguous prefix such as --def): a JSON object of option values
 * named like the flags, looked up as given, then in ./profiles, then in the package's profiles/.
 * Precedence: built-in < profile < command line. Spawned for real, from a temporary folder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../src/config/checkSchedule.js';
import { Problems } from '../src/core/errors.js';
import { LINE_DEFAULTS, applyLineValues } from '../src/config/options.js';
import { plannedArrivals, parseSchedule } from '../src/schedule/schedule.js';
import { ROOT, csvRows, pylogen, readJson, tempDir } from './helpers.js';

/** A temporary working folder with ./profiles/<name> files. */
function withProfiles(files: Record<string, unknown>): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'profiles'));
  for (const [name, value] of Object.entries(files)) {
    writeFileSync(join(dir, 'profiles', name), typeof value === 'string' ? value : JSON.stringify(value));
  }
  return dir;
}

describe('profiles', () => {
  it('--def myprofile.json from ./profiles with "process": 2, "loops": 3 and --loops 2 on the command line runs 4 requests', async () => {
    const dir = withProfiles({ 'myprofile.json': { process: 2, loops: 3 } });
    const r = await pylogen(['cuts.Dummy', '--def', 'myprofile.json', '--loops', '2', '--extra', '{"sleep":0}'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    expect(rows).toHaveLength(4);
    expect(rows.filter((x) => x.runner === '0')).toHaveLength(2);
    expect(rows.filter((x) => x.runner === '1')).toHaveLength(2);
  });

  it('a profile as a path; extra as a JSON string; lengths as an array; run-level keys; the command line wins', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'mine.json'),
      JSON.stringify({ loops: 2, lengths: [8, 16], extra: '{"transaction": true, "sleep": 0}', id: 'prof', outformat: 'jsonl' }),
    );
    const r = await pylogen(['cuts.Dummy', '--defaults', './mine.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.nature === 'tra')).toHaveLength(4);
    expect(events.filter((e) => e.nature === 'req')).toHaveLength(12);
    expect(new Set(events.map((e) => e.step))).toEqual(new Set([8, 16]));
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(['prof']));

    const json = join(dir, 's.json');
    const o = await pylogen(
      ['cuts.Dummy', '--def', join(dir, 'mine.json'), '--outformat', 'csv', '--extra', '{"sleep":0}', '--le', '32', '--summary-json', json],
      { cwd: dir },
    );
    expect(o.code, o.stderr).toBe(0);
    const rows = csvRows(o.stdout);
    expect(rows).toHaveLength(2); // --extra replaces the profile's: no transaction
    expect(rows.every((x) => x.step === '32' && x.id === 'prof' && x.nature === 'req')).toBe(true);
  });

  it('wrong types are errors naming the file and the key, all of them at once; exit 2, nothing started', async () => {
    const dir = withProfiles({
      'types.json': { loops: 'three', process: true, extra: 5, lengths: '8,x', schedule: '2@fast' },
      'badextra.json': { extra: '{oops' },
      'unknown.json': { lops: 2 },
      'nested.json': { defaults: 'other.json' },
      'array.json': [1, 2],
      'broken.json': '{"loops": 2,',
    });
    const run = (name: string) => pylogen(['cuts.Dummy', '--def', name], { cwd: dir });
    const [types, badextra, unknown, nested, array, broken, missing] = await Promise.all([
      run('types.json'),
      run('badextra.json'),
      run('unknown.json'),
      run('nested.json'),
      run('array.json'),
      run('broken.json'),
      run('missing.json'),
    ]);
    const p = (name: string) => join(dir, 'profiles', name);
    for (const r of [types, badextra, unknown, nested, array, broken, missing]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const t = types.stderr;
    expect(t).toContain(`${p('types.json')}: key "loops" must be a whole number, but is "three"`);
    expect(t).toContain(`${p('types.json')}: key "process" must be a whole number, but is true`);
    expect(t).toContain(`${p('types.json')}: key "extra" must be a JSON object, but is 5`);
    expect(t).toContain(`${p('types.json')}: key "lengths" must be whole numbers of bytes`);
    expect(t).toContain('--schedule: segment 1 "2@fast"');
    expect(badextra.stderr).toContain(`${p('badextra.json')}: key "extra" must be a JSON object, but is not JSON`);
    expect(unknown.stderr).toContain(`${p('unknown.json')}: unknown key "lops"`);
    expect(nested.stderr).toContain(`${p('nested.json')}: unknown key "defaults"`);
    expect(array.stderr).toContain(`${p('array.json')}: must be a JSON object`);
    expect(broken.stderr).toContain(`${p('broken.json')}: not valid JSON`);
    expect(missing.stderr).toContain('profile "missing.json": no such file');
  });

  it('an ambiguous or unknown prefix of --defaults is an error listing the candidates', async () => {
    const [d, x] = await Promise.all([pylogen(['cuts.Dummy', '--d', 'smoke.json']), pylogen(['cuts.Dummy', '--defx', 'smoke.json'])]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/ambiguous option --d: it could be .*--defaults.*--duration/);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/unknown option --defx/);
  });
});

describe('the shipped profiles', () => {
  const shipped = (name: string) => JSON.parse(readFileSync(join(ROOT, 'profiles', name), 'utf8')) as Record<string, unknown>;
  const resolve = (name: string) => {
    const problems = new Problems();
    const o = checkSchedule(applyLineValues({ ...LINE_DEFAULTS }, shipped(name), problems), problems);
    expect(problems.list).toEqual([]);
    return o;
  };

  it('smoke.json runs from any folder: 1 runner, 3 loops of 16, 1024 and 4096 bytes', async () => {
    const dir = tempDir();
    const r = await pylogen(['cuts.Dummy', '--def', 'smoke.json', '--extra', '{"sleep":0}'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    expect(rows).toHaveLength(9);
    for (const step of ['16', '1024', '4096']) expect(rows.filter((x) => x.step === step)).toHaveLength(3);
  });

  it('steady.json: 2 runners, a 10 s ramp to 50/s then 50 s at 50/s (2750 arrivals), max 100 in flight', () => {
    const o = resolve('steady.json');
    expect(o).toMatchObject({ process: 2, duration: 60, maxInflight: 100, queue: 1000 });
    expect(plannedArrivals(parseSchedule(o.schedule))).toBe(2750);
  });

  it('soak.json: 2 runners, 1 h: a 1 min ramp to 20/s then 59 min at 20/s (71400 arrivals), max 100 in flight', () => {
    const o = resolve('soak.json');
    expect(o).toMatchObject({ process: 2, duration: 3600, maxInflight: 100, summary: 30 });
    expect(plannedArrivals(parseSchedule(o.schedule))).toBe(71400);
  });

  it('steady.json with a shorter --schedule on the command line runs its runners and bounds', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(
      ['cuts.Dummy', '--def', 'steady.json', '--schedule', '0.5@40', '--extra', '{"sleep":0.01}', '--outformat', 'none', '--summary-json', json],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    expect(s.runners.planned).toBe(2);
    expect(s.arrivals).toEqual({ planned: 20, started: 20, dropped: 0 });
    // a --duration on top of a profile's schedule is an error that says why
    const d = await pylogen(['cuts.Dummy', '--def', 'steady.json', '--duration', '10'], { cwd: dir });
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--duration cannot be used with --schedule: the schedule's length \(60 s\) is the run's duration/);
  });
});
