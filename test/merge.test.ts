/**
 * mergeSummaries and readSummaries over three real shards' summaries (test/fixtures/merge: one run
 * of cuts.Dummy with transactions, errors and two lengths, --schedule 3@20 --proc 2 --shard I/3).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSummaries, type SummaryInput } from '../src/merge/mergeSummaries.js';
import { readSummaries } from '../src/merge/readSummaries.js';
import { decodeHistogram, newHistogram, percentileMs } from '../src/stats/histogram.js';
import { bestFullInterval } from '../src/stats/series.js';
import type { Summary } from '../src/stats/summary.js';
import { ROOT } from './helpers.js';

const text = (i: number) => readFileSync(join(ROOT, 'test/fixtures/merge', `shard${i}.json`), 'utf8');
const shard = (i: number): SummaryInput => ({ source: `shard${i}.json`, summary: JSON.parse(text(i)) as Summary });
const all = () => [0, 1, 2].map(shard);

/** The percentile in ms of the union of encoded histograms, as the summary rounds them. */
function unionPercentile(encoded: string[], q: number, maxMs: number): number {
  const h = newHistogram();
  for (const e of encoded) h.add(decodeHistogram(e));
  return Math.min(percentileMs(h, q)!, Math.round(maxMs * 1000) / 1000);
}

describe('mergeSummaries', () => {
  it('adds the counts and merges the histograms exactly: percentiles of the union, not averages', () => {
    const inputs = all();
    const m = mergeSummaries(inputs);
    const parts = inputs.map((i) => i.summary);
    expect(m.version).toBe(2);
    expect(m.requests.count).toBe(180);
    expect(m.transactions).toEqual({ count: 60, errors: parts.reduce((n, s) => n + s.transactions.errors, 0) });
    expect(m.arrivals).toEqual({ planned: 60, started: 60, dropped: 0 });
    expect(m.runners).toEqual({ planned: 6, started: 6, ended: 6, failed: 0 });
    expect(m.events.lost).toBe(0);
    expect(m.byRunner.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(m.byRunner.map((r) => r.shard)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(m.shards!.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(m.shard).toBeUndefined();
    for (const row of m.byRequest) {
      const of = parts.map((s) => s.byRequest.find((r) => r.request === row.request)!);
      expect(row.count).toBe(of.reduce((n, r) => n + r.count, 0));
      expect(row.ok.count).toBe(of.reduce((n, r) => n + r.ok.count, 0));
      const maxMs = Math.max(...of.map((r) => r.ok.hdr.maxMs ?? 0));
      for (const [q, k] of [
        [50, 'p50'],
        [90, 'p90'],
        [99, 'p99'],
      ] as const) {
        expect(row.ok.latencyMs![k]).toBe(
          unionPercentile(
            of.map((r) => r.ok.hdr.latency),
            q,
            maxMs,
          ),
        );
      }
      expect(row.ok.latencyMs!.max).toBe(Math.round(maxMs * 1000) / 1000);
      expect(row.ok.latencyMs!.min).toBe(Math.round(Math.min(...of.map((r) => r.ok.hdr.minMs ?? Infinity)) * 1000) / 1000);
      // two lengths: a row per length, each the merge of the shards' rows of that length
      expect(row.lengths).toEqual([16, 32]);
      expect(row.byLength!.map((b) => b.count)).toEqual(
        [16, 32].map((len) => of.reduce((n, r) => n + r.byLength!.find((b) => b.lengths[0] === len)!.count, 0)),
      );
    }
    const errors = parts.reduce((n, s) => n + s.requests.errors, 0);
    expect(errors).toBeGreaterThan(0);
    expect(m.requests.errors).toBe(errors);
    expect(m.errorsByType.DummyError).toBe(parts.reduce((n, s) => n + (s.errorsByType.DummyError ?? 0), 0));
  });

  it('merges the series by wall-clock interval; the high-water mark comes from the merged series', () => {
    const m = mergeSummaries(all());
    const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sumOf(m.series.total.count)).toBe(180);
    expect(m.series.byRequest.map((r) => sumOf(r.count)).sort()).toEqual(m.byRequest.map((r) => r.count).sort());
    expect(sumOf(m.series.arrivals![0]!.started)).toBe(60);
    const best = bestFullInterval(m.series);
    expect(best).not.toBeNull();
    expect(m.requests.throughputHwm).toBe(Math.max(Math.round(best!.throughput * 100) / 100, m.requests.throughputMean));
    // interval by interval: the counts of the shards whose interval starts at the same instant
    for (let i = 0; i < m.series.intervals; i++) {
      const at = m.series.from + i * m.series.intervalMs;
      const expected = all().reduce((n, { summary: s }) => {
        const j = (at - s.series.from) / s.series.intervalMs;
        return n + (j >= 0 && j < s.series.intervals ? s.series.total.count[j]! : 0);
      }, 0);
      expect(m.series.total.count[i]).toBe(expected);
      // the interval's p99 over every request: from the union of the shards' interval histograms
      const union = newHistogram(64, 2);
      for (const { summary: s } of all()) {
        const j = (at - s.series.from) / s.series.intervalMs;
        if (j < 0 || j >= s.series.intervals) continue;
        for (const r of s.series.byRequest) if (r.okHdr[j]) union.add(decodeHistogram(r.okHdr[j]!));
      }
      expect(m.series.total.p99[i]).toBe(percentileMs(union, 99));
    }
  });

  it('merges a merge again: shards 0 and 1 merged, then with shard 2, give the same rows', () => {
    const direct = mergeSummaries(all());
    const twoFirst = mergeSummaries([shard(0), shard(1)], { partial: true });
    const again = mergeSummaries([{ source: 'first', summary: twoFirst }, shard(2)]);
    expect(again.byRequest.map((r) => r.ok.latencyMs)).toEqual(direct.byRequest.map((r) => r.ok.latencyMs));
    expect(again.requests.count).toBe(direct.requests.count);
  });

  it("keeps each shard's warnings with its index", () => {
    const inputs = all();
    inputs[1]!.summary.warnings = ['runner CPU saturated (run.1 97%)'];
    inputs[2]!.summary.shard!.lateMs = 120;
    const m = mergeSummaries(inputs);
    expect(m.warnings).toContain('shard 1: runner CPU saturated (run.1 97%)');
    expect(m.warnings.join('\n')).toMatch(/1 shard was ready after --start-at and started late \(shard 2 by 120 ms\)/);
    expect(m.warnings.join('\n')).not.toMatch(/without --start-at/);
  });

  it('warns when the shards were started without --start-at, with the spread of their t0', () => {
    const inputs = all();
    inputs.forEach(({ summary: s }, i) => {
      s.shard!.startAt = null;
      s.shard!.t0 = new Date(Date.parse(s.shard!.t0!) + i * 700).toISOString();
    });
    expect(mergeSummaries(inputs).warnings).toContain('the shards were started without --start-at: their t0 spread over 1400 ms (each by its own clock)');
  });

  it('refuses summaries of different runs, a shard twice, a missing shard (unless partial), a summary without --shard', () => {
    const other = shard(2);
    other.summary.shard!.run = '0123456789abcdef';
    expect(() => mergeSummaries([shard(0), shard(1), other])).toThrow(/^shard0.json and shard2.json are summaries of different runs/);
    expect(() => mergeSummaries([shard(0), shard(1), shard(1)])).toThrow(/^shard1.json and shard1.json are both shard 1\/3$/);
    expect(() => mergeSummaries([shard(0), shard(2)])).toThrow(/^shard 1 missing \(1 of 3\): give every shard's summary, or --partial/);
    const partial = mergeSummaries([shard(0), shard(2)], { partial: true });
    expect(partial.requests.count).toBe(120);
    expect(partial.warnings).toContain('partial merge (--partial): shard 1 missing (1 of 3): the counts are those of 2 shards');
    const plain = shard(0);
    delete plain.summary.shard;
    expect(() => mergeSummaries([plain])).toThrow(/a summary of a run without --shard/);
    expect(() => mergeSummaries([{ source: 'x.json', summary: { version: 1 } as unknown as Summary }])).toThrow(
      /^x.json: not a pylogen summary \(version 2\)$/,
    );
  });
});

describe('readSummaries', () => {
  const oneLine = (i: number) => JSON.stringify(JSON.parse(text(i)));

  it('reads an indented file, and several indented documents one after another', () => {
    expect(readSummaries(text(0), 'a.json').map((d) => d.summary.shard!.index)).toEqual([0]);
    const docs = readSummaries(text(0) + text(1) + text(2), '-');
    expect(docs.map((d) => d.summary.shard!.index)).toEqual([0, 1, 2]);
    expect(docs[1]!.source).toMatch(/^-:\d+$/);
  });

  it("finds one-line documents among the pods' other lines, prefixes (kubectl logs --prefix) ignored", () => {
    const log = [
      'pylogen summary: 2 runners (2 ended, 0 failed), wall 3.10 s',
      '[pod/pylogen-0-abcde/pylogen] ' + oneLine(0),
      'warning: something {with a brace',
      '{"time":"2026-12-04T21:00:00.000Z","nature":"req"}',
      oneLine(1),
      '[pod/pylogen-2-xyz/pylogen] ' + oneLine(2) + '\r',
      '',
    ].join('\n');
    expect(readSummaries(log, '-').map((d) => d.summary.shard!.index)).toEqual([0, 1, 2]);
  });

  it('says which line holds a truncated summary', () => {
    const log = `starting\n${oneLine(0).slice(0, 500)}}\n`;
    expect(() => readSummaries(log, '-')).toThrow(/^-:2: a summary that is not valid JSON \(a truncated log\?\)/);
  });
});
