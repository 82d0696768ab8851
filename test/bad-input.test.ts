/**
 * Bad input, all of it rejected before anything starts: one line on stderr naming the problem (the
 * flag, FILE:LINE, the key), exit code 2, nothing on stdout, no output file created.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, pylogen, tempDir } from './helpers.js';

const dir = tempDir();
mkdirSync(join(dir, 'cuts'));
mkdirSync(join(dir, 'profiles'));
mkdirSync(join(dir, 'adir'));
for (const f of ['NotACut', 'Broken']) copyFileSync(join(ROOT, 'test/fixtures', `${f}.ts`), join(dir, 'cuts', `${f}.ts`));
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), name);
file('notjson.json', '{nope');
file('array.json', '[1,2]');
file('profiles/badtype.json', '{"process":"two"}');
file('profiles/unknownkey.json', '{"proces":2}');
file('profiles/badextra.json', '{"extra":"{oops"}');
file('profiles/nested.json', '{"defaults":"other.json"}');
file('empty.txt', '');
file('comments.txt', '# only a comment\n\n   # and another\n');
file('nested.txt', 'cuts.Dummy --loops 1\nscenario --file nested.txt\n');
file('quote.txt', 'cuts.Dummy --loops 1\ncuts.Dummy --extra \'{"sleep": 0}\n');
file('badline2.txt', 'cuts.Dummy --loops 1\ncuts.Dummy --loops zero\n');
file('unknowncut.txt', '# header\ncuts.Dummy --loops 1\n\ncuts.Nope --loops 1\n');
file('outonline.txt', 'cuts.Dummy --loops 1 --out x.csv\n');
file('twocuts.txt', 'cuts.Dummy cuts.Dummy\n');
file('noopts.txt', '--loops 2\n');
file('missingvalue.txt', 'cuts.Dummy --id --loops 1\n');
file('twice.txt', 'cuts.Dummy --loops 1 --lo 2\n');
file(
  'cuts/Declared.ts',
  `import { ClassUnderTest, type Operation } from 'pylogen';
export class Declared extends ClassUnderTest<{ target?: string }> {
  static override readonly extraKeys = { target: 'where to send (default none)' };
  func(op: Operation) { return op.time('NOOP', () => undefined); }
}
`,
);

const cases: [string, string[], RegExp][] = [
  // CUTs
  ['unknown CUT', ['cuts.Nope'], /CUT "cuts.Nope": no Nope\.ts or Nope\.js/],
  ['a CUT name with a path', ['../etc/passwd'], /plain identifier/],
  ['a CUT name with a slash', ['cuts/Dummy'], /plain identifier/],
  ['a CUT name with a dot path', ['cuts.sub.Dummy'], /plain identifier/],
  ['a CUT file that exports no ClassUnderTest', ['NotACut'], /NotACut\.ts: exports no class that extends ClassUnderTest/],
  ['a CUT file that does not compile', ['Broken'], /Broken\.ts: cannot be loaded: \S+Broken\.ts:\d+:\d+: Expected identifier/],
  ['two CUTs', ['cuts.Dummy', 'cuts.Dummy'], /one CUT per command line/],
  ['no CUT', ['--loops', '2'], /no CUT given/],
  ['a CUT refuses its --extra', ['cuts.Dummy', '--extra', '{"sleep":"long"}'], /Dummy: --extra: "sleep" must be a number of seconds/],
  ['a CUT refuses a wrong type in --extra', ['cuts.Dummy', '--extra', '{"error":1.5}'], /"error" must be a whole number/],
  // option values
  ['bad JSON in --extra', ['cuts.Dummy', '--extra', '{sleep:1}'], /--extra must be a JSON object, but is not JSON/],
  ['--extra an array', ['cuts.Dummy', '--extra', '[1]'], /--extra must be a JSON object, but is "\[1\]"/],
  ['--extra null', ['cuts.Dummy', '--extra', 'null'], /--extra must be a JSON object/],
  ['a negative duration', ['cuts.Dummy', '--duration', '-1'], /--duration must be at least 0s, but is -1/],
  ['a negative rampup', ['cuts.Dummy', '--rampup', '-2'], /--rampup must be at least 0s, but is -2/],
  ['a non-numeric process', ['cuts.Dummy', '--proc', 'two'], /--process must be a whole number, but is "two"/],
  ['zero processes', ['cuts.Dummy', '--process', '0'], /--process must be at least 1, but is 0/],
  ['too many processes', ['cuts.Dummy', '--process', '1000'], /--process must be at most 256, but is 1000/],
  ['zero concurrency', ['cuts.Dummy', '--concurrency', '0'], /--concurrency must be at least 1, but is 0/],
  ['fractional loops', ['cuts.Dummy', '--loops', '1.5'], /--loops must be a whole number, but is "1.5"/],
  ['zero loops: a run that would do nothing', ['cuts.Dummy', '--loops', '0'], /--loops must be at least 1, but is 0/],
  [
    'a non-numeric pause',
    ['cuts.Dummy', '--pauseloop', 'abc'],
    /--pauseloop must be a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "abc"/,
  ],
  [
    'a duration with a bad unit',
    ['cuts.Dummy', '--duration', '10sec'],
    /--duration must be a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "10sec"/,
  ],
  ['a schedule segment with a bad unit', ['cuts.Dummy', '--schedule', '30x@10'], /--schedule: segment 1 "30x@10": the duration must be more than 0/],
  ['--summary 0', ['cuts.Dummy', '--summary', '0'], /--summary must be at least 0.1s, but is 0/],
  ['--timeout 0', ['cuts.Dummy', '--timeout', '0'], /--timeout must be at least 0.001s, but is 0/],
  ['--retries over 10', ['cuts.Dummy', '--retries', '11'], /--retries must be at most 10, but is 11/],
  ['bad lengths', ['cuts.Dummy', '--lengths', '16,abc'], /--lengths must be whole numbers of bytes separated by commas, but has "abc"/],
  ['a negative length', ['cuts.Dummy', '--le', '-16'], /--lengths must be whole numbers of bytes separated by commas, but has "-16"/],
  ['a huge length', ['cuts.Dummy', '--le', '99999999999'], /a length must be at most 67108864 bytes/],
  ['an empty id', ['cuts.Dummy', '--id', ''], /--id must not be empty/],
  ['a bad outformat', ['cuts.Dummy', '--outformat', 'xml'], /--outformat must be one of csv, long, jsonl, jtl, none, but is "xml"/],
  // option names
  ['an ambiguous prefix', ['cuts.Dummy', '--p', '1'], /ambiguous option --p: it could be --pauselen, --pauseloop, --postpone, --process/],
  ['an ambiguous --d', ['cuts.Dummy', '--d', '1'], /ambiguous option --d: it could be --defaults, --duration/],
  ['an unknown option', ['cuts.Dummy', '--frobnicate', '1'], /unknown option --frobnicate/],
  ['an unknown short option', ['cuts.Dummy', '-x'], /unknown option -x/],
  ['a missing value', ['cuts.Dummy', '--loops'], /option --loops needs a value/],
  ['a value missing before a short flag', ['cuts.Dummy', '--id', '-v'], /option --id needs a value, but is followed by the option -v/],
  ['a value missing before -vv', ['cuts.Dummy', '--id', '-vv', '--loops', '1'], /option --id needs a value/],
  ['a value missing before a long flag', ['cuts.Dummy', '--region', '--loops', '1'], /option --region needs a value, but is followed by the option --loops/],
  ['a value missing on a scenario line', ['scenario', '--file', 'missingvalue.txt'], /^pylogen: missingvalue.txt:1: option --id needs a value/],
  ['a negative number keeps its own message', ['cuts.Dummy', '--postpone', '-1'], /--postpone must be at least 0s, but is -1/],
  ['did you mean: a misspelt option', ['cuts.Dummy', '--durration', '1'], /unknown option --durration \(did you mean --duration\?\)/],
  ['did you mean: a CUT in the wrong case', ['dummy'], /CUT "dummy": no dummy\.ts.*did you mean Dummy\?/],
  ['did you mean: a misspelt cuts.X', ['cuts.Dumy'], /did you mean cuts\.Dummy\?/],
  ['did you mean: a profile without .json', ['cuts.Dummy', '--def', 'smoke'], /profile "smoke": no such file \(did you mean smoke\.json\?\)/],
  [
    'a missing profile: every place looked in',
    ['cuts.Dummy', '--def', 'nope.json'],
    /\(looked in \/\S+\/nope\.json, \/\S+\/profiles\/nope\.json, \/\S+\/profiles\/nope\.json\)$/,
  ],
  ['a value missing in kms serve', ['kms', 'serve', '--port', '--latency', '5'], /option --port needs a value, but is followed by the option --latency/],
  [
    'Dummy refuses an unknown --extra key',
    ['cuts.Dummy', '--extra', '{"slep":0}'],
    /Dummy: --extra: unknown member "slep" \(this CUT takes: sleep, transaction, error\)/,
  ],
  [
    'a user CUT refuses a key it does not declare',
    ['Declared', '--extra', '{"rate":1}'],
    /Declared: --extra: unknown member "rate" \(this CUT takes: target\)/,
  ],
  [
    '--out and --summary-json naming one file',
    ['cuts.Dummy', '--out', 'same.out', '--summary-json', './same.out'],
    /--summary-json "\.\/same\.out" is the same file as --out: give each its own file/,
  ],
  ['--outformat none with --out', ['cuts.Dummy', '--outformat', 'none', '--out', 'x.csv'], /--out "x\.csv" with --outformat none: no event stream is written/],
  ['--file without scenario', ['cuts.Dummy', '--file', 'x.txt'], /--file goes with the scenario command/],
  // an option given twice: yargs would keep the last value, silently
  [
    '--extra given twice',
    ['cuts.Dummy', '--extra', '{"sleep":0}', '--ex', '{"error":2}'],
    /--extra is given twice \(as --extra and --ex\), and only one value would be used: give one JSON object/,
  ],
  ['--duration given twice', ['cuts.Dummy', '--duration', '1', '--duration', '2'], /--duration is given twice, and only one value would be used: give it once/],
  ['--steps and --lengths: one option twice', ['cuts.Dummy', '--steps', '16', '--lengths', '32'], /--lengths is given twice \(as --steps and --lengths\)/],
  ['an option twice on a scenario line', ['scenario', '--file', 'twice.txt'], /^pylogen: twice.txt:1: --loops is given twice \(as --loops and --lo\)/],
  ['an option twice in kms serve', ['kms', 'serve', '--port', '0', '--port', '1'], /--port is given twice/],
  // output paths
  [
    '--out - and --summary-json -',
    ['cuts.Dummy', '--out', '-', '--summary-json', '-'],
    /--out - and --summary-json - would both write on standard output: give one of them a file/,
  ],
  ['--report -', ['cuts.Dummy', '--report', '-'], /--report - : the report is a self-contained HTML file/],
  ['an unwritable --out', ['cuts.Dummy', '--out', '/nonexistent-dir/x.csv'], /--out "\/nonexistent-dir\/x.csv" cannot be written \(no such folder\)/],
  ['--out a folder', ['cuts.Dummy', '--out', 'adir'], /--out "adir" cannot be written \(it is a folder\)/],
  ['an unwritable --summary-json', ['cuts.Dummy', '--summary-json', '/nonexistent-dir/s.json'], /--summary-json "\/nonexistent-dir\/s.json" cannot be written/],
  // profiles
  ['a missing profile', ['cuts.Dummy', '--def', 'nothere.json'], /profile "nothere.json": no such file/],
  ['a profile that is not JSON', ['cuts.Dummy', '--defaults', 'notjson.json'], /notjson.json: not valid JSON/],
  ['a profile that is not an object', ['cuts.Dummy', '--defaults', 'array.json'], /array.json: must be a JSON object of option values/],
  ['a profile that is a folder', ['cuts.Dummy', '--defaults', 'adir'], /adir: cannot be read \(EISDIR\)/],
  ['a profile value of the wrong type', ['cuts.Dummy', '--def', 'badtype.json'], /badtype.json: key "process" must be a whole number, but is "two"/],
  ['a profile with an unknown key', ['cuts.Dummy', '--def', 'unknownkey.json'], /unknownkey.json: unknown key "proces"/],
  ['a profile whose extra string is not JSON', ['cuts.Dummy', '--def', 'badextra.json'], /badextra.json: key "extra" must be a JSON object, but is not JSON/],
  ['a profile naming another profile', ['cuts.Dummy', '--def', 'nested.json'], /nested.json: unknown key "defaults"/],
  // scenarios
  ['a missing scenario file', ['scenario', '--file', 'nothere.txt'], /scenario file "nothere.txt": no such file/],
  ['scenario without --file', ['scenario'], /scenario needs --file FILE/],
  ['an empty scenario', ['scenario', '--file', 'empty.txt'], /empty.txt: no CUT line/],
  ['a scenario of comments only', ['scenario', '--file', 'comments.txt'], /comments.txt: no CUT line/],
  ['a nested scenario', ['scenario', '--file', 'nested.txt'], /^pylogen: nested.txt:2: a scenario line cannot run another scenario/],
  ['an unterminated quote', ['scenario', '--file', 'quote.txt'], /^pylogen: quote.txt:2: unterminated single quote/],
  ['a bad value on line 2', ['scenario', '--file', 'badline2.txt'], /^pylogen: badline2.txt:2: --loops must be a whole number, but is "zero"/],
  ['an unknown CUT on line 4', ['scenario', '--file', 'unknowncut.txt'], /^pylogen: unknowncut.txt:4: CUT "cuts.Nope"/],
  ['a run option on a scenario line', ['scenario', '--file', 'outonline.txt'], /^pylogen: outonline.txt:1: unknown option --out/],
  ['two CUTs on a scenario line', ['scenario', '--file', 'twocuts.txt'], /twocuts.txt:1: one CUT per line/],
  ['a scenario line without a CUT', ['scenario', '--file', 'noopts.txt'], /noopts.txt:1: no CUT on this line/],
  ['a CUT given to scenario', ['scenario', 'cuts.Dummy', '--file', 'empty.txt'], /scenario takes no CUT/],
];

describe.concurrent('bad input: one line on stderr, exit 2, nothing on stdout', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await pylogen(args, { cwd: dir });
    expect(r.stdout).toBe('');
    // a compiler's message may be followed by its code frame: the source line and a caret (test/cut-errors.test.ts)
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^pylogen: {5}/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pylogen: /);
    expect(lines[0]).toMatch(message);
    expect(r.code).toBe(2);
  });
  it('creates no output file when the input is bad', async () => {
    const out = join(dir, 'never.csv');
    const json = join(dir, 'never.json');
    const r = await pylogen(['cuts.Dummy', '--loops', 'x', '--out', out, '--summary-json', json], { cwd: dir });
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(json)).toBe(false);
  });
});
