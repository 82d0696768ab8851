/**
 * A VerdictSource over a summary JSON (version 2): its rows carry their ok and failed tallies as
 * encoded HdrHistograms with exact counters, so thresholds judged over a summary read back from a
 * file (or over several shards' summaries merged) measure exactly what the run itself measured.
 */
import { aggOfRow, type Summary } from '../stats/summary.js';
import type { Judged, VerdictSource } from './evaluateThresholds.js';
import { evaluateThresholds } from './evaluateThresholds.js';
import { sourceFromAggs } from './sourceFromAggs.js';
import type { Threshold } from './threshold.js';

type SummaryLike = Pick<Summary, 'byRequest' | 'byTransaction' | 'errorsByType' | 'byRunner'>;

export function sourceFromSummary(s: SummaryLike): VerdictSource {
  const aggs = [...s.byRequest.map((r) => aggOfRow(r, 'req')), ...s.byTransaction.map((r) => aggOfRow(r, 'tra'))];
  const runners = (id: string | undefined) => s.byRunner.filter((r) => id === undefined || r.id === id);
  return sourceFromAggs(aggs, {
    // As the summary's throughputs: from the first start to the last end of the line's runners.
    seconds: (id) => {
      let from = Infinity;
      let to = -Infinity;
      for (const r of runners(id)) {
        if (r.startedAt === undefined) continue;
        const start = Date.parse(r.startedAt);
        from = Math.min(from, start);
        to = Math.max(to, r.endedAt !== undefined ? Date.parse(r.endedAt) : start);
      }
      return to > from ? (to - from) / 1000 : 0;
    },
    errorsByType: s.errorsByType,
    arrivals: (id) => {
      const of = runners(id).filter((r) => r.arrivals !== undefined);
      if (of.length === 0) return undefined;
      return { planned: of.reduce((n, r) => n + r.arrivals!.planned, 0), dropped: of.reduce((n, r) => n + r.arrivals!.dropped, 0) };
    },
  });
}

/** Judges thresholds over a summary (a run's, read back, or several shards' merged). */
export function evaluateSummary(list: readonly Threshold[], s: SummaryLike): Judged[] {
  return evaluateThresholds(list, sourceFromSummary(s));
}
