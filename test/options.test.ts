import { describe, expect, it } from 'vitest';
import { RUN_SPEC, LINE_SPEC } from '../src/config/buildPlan.js';
import { normalizeArgv, expandPrefix } from '../src/config/normalize.js';
import { parseWords } from '../src/config/parseWords.js';
import { OPTIONS, optionDef, parseValue } from '../src/config/options.js';

describe('option prefixes (PYLOGEN argparse abbreviations)', () => {
  it.each([
    ['proc', 'process'],
    ['le', 'lengths'],
    ['pauselo', 'pauseloop'],
    ['pausele', 'pauselen'],
    ['ram', 'rampup'],
    ['def', 'defaults'],
    ['d', null],
    ['steps', 'lengths'],
    ['pausestep', 'pauselen'],
    ['dur', 'duration'],
    ['summary', 'summary'],
    ['summary-', 'summary-json'],
  ])('--%s expands to --%s', (given, full) => {
    if (full === null) expect(() => expandPrefix(given, RUN_SPEC)).toThrow(/ambiguous option --d: it could be --defaults, --duration/);
    else expect(expandPrefix(given, RUN_SPEC)).toBe(full);
  });
  it('an exact name wins over longer names it prefixes (--summary vs --summary-json)', () => {
    expect(parseWords(['--summary', '2'], RUN_SPEC).values).toEqual({ summary: '2' });
  });
  it('keeps values that start with a dash as values, and handles --name=value', () => {
    expect(normalizeArgv(['X', '--post', '-1', '--le=1,2'], RUN_SPEC)).toEqual(['X', '--postpone', '-1', '--lengths', '1,2']);
  });
  it('counts -v, -vv, -vvv and --verbose', () => {
    expect(parseWords(['X', '-vv', '-v', '--verb'], RUN_SPEC).verbose).toBe(4);
  });
  it('a scenario line does not accept run-level options', () => {
    expect(() => parseWords(['X', '--out', 'f'], LINE_SPEC)).toThrow(/unknown option --out/);
  });
});

describe('option values', () => {
  const v = (name: string, raw: unknown) => parseValue(optionDef(name)!, raw);
  it('parses numbers from the command line and from profiles', () => {
    expect(v('process', '3')).toEqual({ value: 3 });
    expect(v('process', 3)).toEqual({ value: 3 });
    expect(v('duration', '0.5')).toEqual({ value: 0.5 });
    expect(v('lengths', '384,512, 1024')).toEqual({ value: [384, 512, 1024] });
    expect(v('lengths', [8, 16])).toEqual({ value: [8, 16] });
    expect(v('extra', '{"a":1}')).toEqual({ value: { a: 1 } });
    expect(v('extra', { a: 1 })).toEqual({ value: { a: 1 } });
  });
  it("durations take k6's and Artillery's units; a plain number stays seconds", () => {
    expect(v('duration', '10')).toEqual({ value: 10 });
    expect(v('duration', 10)).toEqual({ value: 10 });
    expect(v('duration', '10s')).toEqual({ value: 10 });
    expect(v('duration', '2m')).toEqual({ value: 120 });
    expect(v('duration', '1h')).toEqual({ value: 3600 });
    expect(v('duration', '1m30s')).toEqual({ value: 90 });
    expect(v('grace', '500ms')).toEqual({ value: 0.5 });
    expect(v('rampup', '1.5s')).toEqual({ value: 1.5 });
    expect(v('timeout', '250ms')).toEqual({ value: 0.25 });
    expect(v('step-seconds', '30s')).toEqual({ value: 30 });
    expect(v('summary', '500ms')).toEqual({ value: 0.5 });
  });
  it('names the option and the bad value', () => {
    expect(v('process', '1e400')).toEqual({ problem: '--process must be a whole number, but is "1e400"' });
    expect(v('summary', '0')).toEqual({ problem: '--summary must be at least 0.1s, but is 0' });
    expect(v('duration', 'NaN')).toEqual({ problem: '--duration must be a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "NaN"' });
    expect(v('duration', '10x')).toEqual({ problem: '--duration must be a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "10x"' });
    expect(v('grace', '5 min')).toEqual({ problem: '--grace must be a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "5 min"' });
    expect(v('rampup', '-1s')).toMatchObject({ problem: expect.stringMatching(/^--rampup must be/) });
    expect(v('process', '300')).toEqual({ problem: '--process must be at most 256, but is 300' });
    expect(v('lengths', '')).toEqual({ problem: '--lengths must be whole numbers of bytes separated by commas, but has ""' });
  });
  it('every option of the table has a description and a unique name', () => {
    const names = OPTIONS.flatMap((d) => [d.name, ...(d.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
    for (const d of OPTIONS) expect(d.describe.length).toBeGreaterThan(5);
  });
});
