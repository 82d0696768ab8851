/** The summary JSON's text: the same value back, indented, with arrays of scalars on one line. */
import { describe, expect, it } from 'vitest';
import { summaryText } from '../src/stats/summaryText.js';

describe('summaryText', () => {
  const value = {
    version: 2,
    name: 'a "quoted" \n name',
    empty: {},
    none: [],
    gone: undefined,
    series: { count: [1, 2, 3], p99: [0.5, null, 2.25], hdr: ['HISTFAAAA==', null] },
    rows: [
      { id: 'run', latencyMs: { p50: 1.5 } },
      { id: 'x', nested: [[1, 2], [3]] },
    ],
  };

  it('parses back to the same value (undefined keys dropped, as JSON.stringify does)', () => {
    expect(JSON.parse(summaryText(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('keeps each array of scalars on one line and indents objects by two spaces', () => {
    const text = summaryText(value);
    expect(text).toContain('\n    "count": [1,2,3],\n');
    expect(text).toContain('"hdr": ["HISTFAAAA==",null]');
    expect(text).toContain('\n  "rows": [\n    {\n      "id": "run",');
    expect(text).toContain('"empty": {}');
    expect(text).toContain('"none": []');
    expect(text.endsWith('}\n')).toBe(true);
    // a 1,000-interval column is one line, not 1,000
    const long = summaryText({ c: Array.from({ length: 1000 }, (_, i) => i) });
    expect(long.split('\n')).toHaveLength(4);
  });
});
