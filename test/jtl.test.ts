/**
 * --outformat jtl: JMeter's CSV results. The rows are read as JMeter reads a .jtl (RFC 4180 CSV with
 * the header naming the columns, CSVSaveService) and every column is checked against the type JMeter
 * parses it as: longs, booleans, `<group> <n>-<m>` thread names.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ROOT, pylogen, readJson, tempDir } from './helpers.js';

const HEADER =
  'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect';
const LONGS = ['timeStamp', 'elapsed', 'bytes', 'sentBytes', 'grpThreads', 'allThreads', 'Latency', 'IdleTime', 'Connect'];

type Row = Record<string, string>;

/** Reads a .jtl as JMeter does: the header line names the columns; fields are RFC 4180 CSV. */
function readJtl(text: string): Row[] {
  expect(text.slice(0, text.indexOf('\n'))).toBe(HEADER);
  const rows = parse(text, { columns: true, skip_empty_lines: false, relax_quotes: false, relax_column_count: false }) as Row[];
  for (const r of rows) {
    expect(Object.keys(r)).toHaveLength(17);
    for (const c of LONGS) expect(r[c], `${c} of ${JSON.stringify(r)}`).toMatch(/^\d+$/);
    expect(['true', 'false']).toContain(r.success);
    expect(r.success === 'true').toBe(r.responseCode === '0');
    expect(r.success === 'true' ? r.responseMessage === 'OK' && r.failureMessage === '' : r.failureMessage !== '').toBe(true);
    expect(r.threadName).toMatch(/^\S+ \d+-\d+$/);
    expect(r.dataType).toBe('text');
    expect(Number(r.Latency)).toBe(Number(r.elapsed));
  }
  return rows;
}

describe('--outformat jtl', () => {
  it('a two-line scenario: JMeter rows with a header, quoted labels and errors, thread groups per line', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'cuts'));
    copyFileSync(join(ROOT, 'test/fixtures/Quoted.ts'), join(dir, 'cuts/Quoted.ts'));
    writeFileSync(
      join(dir, 'two.txt'),
      `cuts.Dummy --id A --proc 2 --loops 4 --extra '{"transaction":true,"error":2,"sleep":0.002}'\nQuoted --id B --loops 6\n`,
    );
    const out = join(dir, 'run.jtl');
    const json = join(dir, 's.json');
    const before = Date.now();
    const r = await pylogen(['scenario', '--file', 'two.txt', '--outformat', 'jtl', '--out', out, '--summary-json', json], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const rows = readJtl(readFileSync(out, 'utf8'));
    const s = readJson(json);
    // every request and transaction event is a row
    expect(rows).toHaveLength(s.requests.count + s.transactions.count);
    expect(rows).toHaveLength(2 * 4 * 3 + 2 * 4 + 6);
    for (const x of rows) {
      expect(Number(x.timeStamp)).toBeGreaterThanOrEqual(before - 1000);
      expect(Number(x.timeStamp)).toBeLessThanOrEqual(Date.now());
    }
    const a = rows.filter((x) => x.threadName!.startsWith('A.Dummy 1-'));
    const b = rows.filter((x) => x.threadName === 'B.Quoted 2-1');
    expect(a.length + b.length).toBe(rows.length);
    expect(new Set(a.map((x) => x.threadName))).toEqual(new Set(['A.Dummy 1-1', 'A.Dummy 1-2']));
    expect(new Set(a.map((x) => x.label))).toEqual(new Set(['R0-EXEC', 'R1-EXEC', 'R2-EXEC', 'T-EXEC']));
    // a failed Dummy operation: its last request and its transaction fail, with the error text
    const failed = a.filter((x) => x.success === 'false');
    expect(failed.map((x) => x.label).sort()).toEqual(['R2-EXEC', 'R2-EXEC', 'R2-EXEC', 'R2-EXEC', 'T-EXEC', 'T-EXEC', 'T-EXEC', 'T-EXEC']);
    expect(failed.every((x) => x.responseCode === '16' && x.failureMessage === 'DummyError: R2-EXEC failed on purpose')).toBe(true);
    // a transaction spans its requests
    const tra = a.filter((x) => x.label === 'T-EXEC');
    expect(tra).toHaveLength(8);
    // the quoted label and error text come back intact
    expect(b).toHaveLength(6);
    expect(b.every((x) => x.label === 'SAY, "HI"')).toBe(true);
    expect(b.filter((x) => x.success === 'false').map((x) => x.failureMessage)).toEqual([
      'QuotedError: said "no", then left',
      'QuotedError: said "no", then left',
    ]);
    // threads: never more active than planned
    expect(Math.max(...a.map((x) => Number(x.grpThreads)))).toBeLessThanOrEqual(2);
    expect(Math.max(...rows.map((x) => Number(x.allThreads)))).toBeLessThanOrEqual(3);
    expect(b.every((x) => Number(x.grpThreads) <= 1 && Number(x.sentBytes) === 16)).toBe(true);
  });

  it('open model: timeStamp is the intended start, so arrivals are evenly spaced even when the target lags', async () => {
    // 40/s for 1 s with one operation in flight at a time and 50 ms per operation: starts fall behind
    // the schedule; the intended starts stay 25 ms apart and elapsed includes the wait.
    const dir = tempDir();
    const out = join(dir, 'open.jtl');
    const r = await pylogen([
      'cuts.Dummy',
      '--schedule',
      '1@40',
      '--max-inflight',
      '1',
      '--queue',
      '100',
      '--grace',
      '5',
      '--extra',
      '{"sleep":0.05}',
      '--outformat',
      'jtl',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readJtl(readFileSync(out, 'utf8'));
    expect(rows).toHaveLength(40);
    const stamps = rows.map((x) => Number(x.timeStamp)).sort((p, q) => p - q);
    for (let i = 1; i < stamps.length; i++) {
      // rounding of both ends to whole ms
      expect(stamps[i]! - stamps[i - 1]!).toBeGreaterThanOrEqual(23);
      expect(stamps[i]! - stamps[i - 1]!).toBeLessThanOrEqual(27);
    }
    // the last arrival waited for the 39 before it (50 ms each, one at a time): about 1 s late
    const last = rows.reduce((m, x) => (Number(x.timeStamp) > Number(m.timeStamp) ? x : m));
    expect(Number(last.elapsed)).toBeGreaterThan(900);
  });
});
