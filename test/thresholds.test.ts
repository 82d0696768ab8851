import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { canOnlyGetWorse, parseThreshold, type Threshold } from '../src/verdict/threshold.js';
import { evaluateThresholds, formatVerdicts, howFar, verdicts } from '../src/verdict/evaluateThresholds.js';
import { sourceFromAggs } from '../src/verdict/sourceFromAggs.js';
import { newAgg, type RequestAgg } from '../src/stats/aggregate.js';

function parsed(text: string): Threshold {
  const r = parseThreshold(text);
  if ('problem' in r) throw new Error(r.problem);
  return r.threshold;
}

function problem(text: string): string {
  const r = parseThreshold(text);
  if ('threshold' in r) throw new Error(`"${text}" was accepted`);
  return r.problem;
}

describe('parseThreshold', () => {
  it('reads the forms of the issue', () => {
    expect(parsed('p99<20')).toEqual({ text: 'p99<20', target: { kind: 'latency', metric: 'p99', service: false }, op: '<', value: 20, percent: false });
    expect(parsed('ENCRYPT:p99.9<50ms')).toMatchObject({ request: 'ENCRYPT', target: { kind: 'latency', metric: 'p99.9' }, value: 50 });
    expect(parsed('errors<1%')).toMatchObject({ target: { kind: 'errors' }, value: 1, percent: true });
    expect(parsed('errors<=10')).toMatchObject({ target: { kind: 'errors' }, op: '<=', value: 10, percent: false });
    expect(parsed('throughput>=1000')).toMatchObject({ target: { kind: 'throughput' }, op: '>=', value: 1000 });
    expect(parsed('service.p99<10')).toMatchObject({ target: { kind: 'latency', metric: 'p99', service: true }, value: 10 });
    expect(parsed('ThrottlingException<1%')).toMatchObject({ target: { kind: 'errorType', type: 'ThrottlingException' }, percent: true });
    expect(parsed('dropped<=0')).toMatchObject({ target: { kind: 'dropped' }, value: 0 });
    expect(parsed('HTTP 503<5')).toMatchObject({ target: { kind: 'errorType', type: 'HTTP 503' }, value: 5 });
  });
  it('converts latency units to ms and keeps blanks out of the text', () => {
    expect(parsed(' p50 < 0.5s ')).toMatchObject({ text: 'p50 < 0.5s', value: 500 });
    expect(parsed('max<250us').value).toBeCloseTo(0.25, 9);
    expect(parsed('mean>1').op).toBe('>');
    expect(parsed('SIGN-CERTIFICATE:max<=2s')).toMatchObject({ request: 'SIGN-CERTIFICATE', value: 2000, op: '<=' });
  });
  it('refuses what is malformed, naming the threshold and the reason', () => {
    expect(problem('p98<5')).toMatch(/^--threshold "p98<5": unknown metric "p98"/);
    expect(problem('p99 20')).toMatch(/expected \[REQUEST:\]METRIC OP VALUE/);
    expect(problem('p99=20')).toMatch(/operator must be <, <=, > or >=/);
    expect(problem('p99<')).toMatch(/expected/);
    expect(problem('p99<fast')).toMatch(/value "fast"/);
    expect(problem('p99<-3')).toMatch(/non-negative/);
    expect(problem('p99<1%')).toMatch(/latency is in ms/);
    expect(problem('errors<3ms')).toMatch(/count or a percentage/);
    expect(problem('throughput>5%')).toMatch(/requests per second/);
    expect(problem('service.errors<1')).toMatch(/service time takes a latency metric/);
    expect(problem('P99<20')).toMatch(/lower case: p99/);
    expect(problem('ENCRYPT:ThrottlingException<1')).toMatch(/whole run/);
    expect(problem('ENCRYPT:dropped<1')).toMatch(/whole schedule/);
    expect(problem('errors<101%')).toMatch(/at most 100/);
    expect(problem(':p99<1')).toMatch(/request name before ":" is empty|expected/);
    expect(problem('')).toMatch(/expected/);
  });
  it('knows which thresholds can only get worse during a run', () => {
    expect(canOnlyGetWorse(parsed('errors<10'))).toBe(true);
    expect(canOnlyGetWorse(parsed('DummyError<=3'))).toBe(true);
    expect(canOnlyGetWorse(parsed('max<100'))).toBe(true);
    expect(canOnlyGetWorse(parsed('dropped<1'))).toBe(true);
    expect(canOnlyGetWorse(parsed('errors<1%'))).toBe(false);
    expect(canOnlyGetWorse(parsed('p99<20'))).toBe(false);
    expect(canOnlyGetWorse(parsed('errors>3'))).toBe(false);
    expect(canOnlyGetWorse(parsed('throughput>=10'))).toBe(false);
  });
});

/** An aggregate with these latencies in ms recorded, as mergeDelta would leave it. */
function agg(request: string, ms: number[], errors = 0, id = 'run', nature: 'req' | 'tra' = 'req'): RequestAgg {
  const a = newAgg(id, 'Cut', nature, request);
  // The latencies go to the ok latencies (ok and failed are apart since summary version 2).
  for (const v of ms) {
    a.ok.latency.recordValue(Math.round(v * 1000));
    a.ok.sum += v;
    a.ok.min = Math.min(a.ok.min, v);
    a.ok.max = Math.max(a.ok.max, v);
  }
  a.count = ms.length;
  a.ok.timed = ms.length;
  a.errors = errors;
  return a;
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('evaluateThresholds over aggregates', () => {
  // ENCRYPT: 900 fast requests (1..9 ms); DECRYPT: 100 slow ones (100..199 ms), 30 of them failed.
  const enc = agg(
    'ENCRYPT',
    seq(900, (i) => 1 + (i % 9)),
  );
  const dec = agg(
    'DECRYPT',
    seq(100, (i) => 100 + i),
    30,
  );
  const src = sourceFromAggs([enc, dec], {
    seconds: () => 10,
    errorsByType: { ThrottlingException: 20, DummyError: 10 },
    arrivals: () => ({ planned: 1000, dropped: 5 }),
  });
  const judge = (...texts: string[]) => evaluateThresholds(texts.map(parsed), src);

  it('merges the histograms of every request exactly, never averaging percentiles', () => {
    const [p50, p95, p99, max, min] = judge('p50<100', 'p95<100', 'p99<100', 'max<100', 'min>=1');
    // All 1000 values together: p50 is a fast one, p95 and p99 fall among the slow ones.
    const together = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    for (const v of [...seq(900, (i) => 1 + (i % 9)), ...seq(100, (i) => 100 + i)]) together.recordValue(v * 1000);
    expect(p50!.value).toBe(together.getValueAtPercentile(50) / 1000);
    expect(p95!.value).toBe(together.getValueAtPercentile(95) / 1000);
    expect(p99!.value).toBe(together.getValueAtPercentile(99) / 1000);
    expect(p95!.value).toBeGreaterThan(140);
    expect([p50!.ok, p95!.ok, p99!.ok]).toEqual([true, false, false]);
    expect(max).toMatchObject({ value: 199, ok: false });
    expect(min).toMatchObject({ value: 1, ok: true });
  });
  it('scopes to one request name', () => {
    const [encP99, decMin, decErr] = judge('ENCRYPT:p99<10', 'DECRYPT:min>=100', 'DECRYPT:errors<=30');
    expect(encP99).toMatchObject({ value: 9, ok: true });
    expect(decMin).toMatchObject({ value: 100, ok: true });
    expect(decErr).toMatchObject({ value: 30, ok: true });
  });
  it('counts errors, error types, throughput and dropped arrivals, as counts or shares', () => {
    const [errPct, errN, thr, type, typePct, dropped, droppedPct] = judge(
      'errors<1%',
      'errors<=30',
      'throughput>=100',
      'ThrottlingException<20',
      'ThrottlingException<=2%',
      'dropped<=5',
      'dropped<0.5%',
    );
    expect(errPct).toMatchObject({ value: 3, ok: false });
    expect(errN).toMatchObject({ value: 30, ok: true });
    expect(thr).toMatchObject({ value: 97, ok: false }); // 970 ok in 10 s: failed requests are not throughput (issue 19)
    expect(type).toMatchObject({ value: 20, ok: false });
    expect(typePct).toMatchObject({ value: 2, ok: true });
    expect(dropped).toMatchObject({ value: 5, ok: true });
    expect(droppedPct).toMatchObject({ value: 0.5, ok: false });
  });
  it('fails a threshold with nothing to measure (a typo must not pass)', () => {
    const [typo] = judge('ENCRPYT:p99<10');
    expect(typo).toMatchObject({ value: null, ok: false, missing: 'no request named ENCRPYT' });
    const closed = sourceFromAggs([enc], { seconds: () => 1, errorsByType: {} });
    expect(evaluateThresholds([parsed('dropped<1')], closed)[0]).toMatchObject({ value: null, ok: false });
    // An error type never seen counts 0 when no error was seen at all (nothing to misspell).
    expect(evaluateThresholds([parsed('AccessDeniedException<1')], closed)[0]).toMatchObject({ value: 0, ok: true });
  });
  it('uses service time when asked, the latency itself in the closed model', () => {
    const open = agg('SIGN', [50, 60, 70]);
    open.ok.service = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    for (const v of [5, 6, 7]) open.ok.service.recordValue(v * 1000);
    open.ok.serviceSum = 18;
    const s = sourceFromAggs([open], { seconds: () => 1, errorsByType: {} });
    const [svc, lat, svcMean] = evaluateThresholds([parsed('service.max<10'), parsed('max<10'), parsed('service.mean<10')], s);
    expect(svc).toMatchObject({ value: 7, ok: true });
    expect(lat).toMatchObject({ value: 70, ok: false });
    expect(svcMean).toMatchObject({ value: 6, ok: true });
    const [closedSvc] = evaluateThresholds([parsed('service.max<10')], sourceFromAggs([enc], { seconds: () => 1, errorsByType: {} }));
    expect(closedSvc).toMatchObject({ value: 9, ok: true });
  });
  it('scopes a scenario line by its id, and falls back to a transaction name', () => {
    const l1 = agg('R0-EXEC', [1, 2, 3], 0, 'L1');
    const l2 = agg('R0-EXEC', [100, 200, 300], 1, 'L2');
    const tx = agg('TX', [10, 20], 0, 'L2', 'tra');
    const s = sourceFromAggs([l1, l2, tx], { seconds: (id) => (id === undefined ? 10 : 3), errorsByType: {} });
    const line = (text: string, id: string) => ({ ...parsed(text), id });
    const [a, b, all, t, thr] = evaluateThresholds(
      [line('max<10', 'L1'), line('max<10', 'L2'), parsed('max<10'), line('TX:max<=20', 'L2'), line('throughput>=1', 'L1')],
      s,
    );
    expect(a).toMatchObject({ value: 3, ok: true });
    expect(b).toMatchObject({ value: 300, ok: false });
    expect(all).toMatchObject({ value: 300, ok: false });
    expect(t).toMatchObject({ value: 20, ok: true });
    expect(thr).toMatchObject({ value: 1, ok: true });
    expect(verdicts([a!, all!])).toEqual([
      { threshold: 'max<10', value: 3, ok: true, id: 'L1' },
      { threshold: 'max<10', value: 300, ok: false },
    ]);
  });
  it('formats a verdict table and says by how much a threshold failed', () => {
    const judged = judge('p50<100', 'errors<1%', 'DECRYPT:p99<150');
    const table = formatVerdicts(judged);
    expect(table).toMatch(/^thresholds: 2 of 3 FAILED\n/);
    expect(table).toMatch(/p50<100\s+5(\.\d+)? ms\s+pass/);
    expect(table).toMatch(/errors<1%\s+3%\s+FAIL/);
    expect(howFar(judged[1]!)).toBe('3% (limit < 1%: over by 2 points)');
    expect(howFar(judged[2]!)).toMatch(/^19\d\.\d ms \(limit < 150 ms: over by 4\d\.\d+ ms, 1\.3\d× the limit\)$/);
  });
});
