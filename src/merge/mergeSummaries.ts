/**
 * `pylogen merge`: several shards' summaries (--shard I/N) into one summary of the same schema, exactly
 * (autocannon's aggregateResult.js, k6's missing piece): counts added, every latency histogram merged
 * bucket by bucket and its percentiles read from the merge (never averaged), the series merged by
 * wall-clock interval and the throughput high-water mark read from the merged series, events lost
 * summed, each shard's warnings kept with its index. A pure function: the CLI reads the documents
 * (readSummaries.ts), thresholds are judged over the result like over a single run's summary.
 */
import { UsageError } from '../core/errors.js';
import { addSamples, type ErrorSamples } from '../core/errorSamples.js';
import { mergeAggs } from '../stats/aggregate.js';
import {
  activeSeconds,
  activeSpan,
  aggOfRow,
  runnerEnd,
  byRequestKey,
  retriesOf,
  rowOf,
  throughputHwm,
  type ByRequest,
  type RunnerEnd,
  type RunnerSummary,
  type ShardSummary,
  type Summary,
} from '../stats/summary.js';
import { mergeSeries } from './mergeSeries.js';

export interface SummaryInput {
  /** where it came from, for messages: a file name, or `-:3` (the third document on stdin) */
  source: string;
  summary: Summary;
}

export interface MergeOptions {
  /** merge the shards given even when some of the run's are missing (a warning says which) */
  partial?: boolean;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const iso = (ms: number) => new Date(ms).toISOString();
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The shards a summary holds: its own, or those of an earlier merge. */
function shardsOf(i: SummaryInput): ShardSummary[] {
  const s = i.summary;
  if (s === null || typeof s !== 'object' || s.version !== 2 || !Array.isArray(s.byRequest) || s.series === undefined) {
    throw new UsageError(`${i.source}: not a pylogen summary (version 2)`);
  }
  if (s.shard !== undefined) return [s.shard];
  if (s.shards !== undefined && s.shards.length > 0) return s.shards;
  throw new UsageError(`${i.source}: a summary of a run without --shard: nothing says which run it belongs to (run each shard with --shard I/N)`);
}

/** Checks that the inputs are shards of one run, each once, and all of them unless partial. */
function checkShards(inputs: readonly SummaryInput[], partial: boolean): { shards: ShardSummary[]; warnings: string[] } {
  if (inputs.length === 0) throw new UsageError('no summary to merge');
  const seen = new Map<number, { shard: ShardSummary; source: string }>();
  let first: { shard: ShardSummary; source: string } | undefined;
  for (const input of inputs) {
    for (const shard of shardsOf(input)) {
      first ??= { shard, source: input.source };
      if (shard.run !== first.shard.run || shard.count !== first.shard.count) {
        throw new UsageError(
          `${first.source} and ${input.source} are summaries of different runs (run ${first.shard.run || '-'} of ${first.shard.count} shards, run ${shard.run || '-'} of ${shard.count})`,
        );
      }
      const dup = seen.get(shard.index);
      if (dup !== undefined) throw new UsageError(`${dup.source} and ${input.source} are both shard ${shard.index}/${shard.count}`);
      seen.set(shard.index, { shard, source: input.source });
    }
  }
  const count = first!.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  const warnings: string[] = [];
  if (missing.length > 0) {
    const list = `shard${missing.length === 1 ? '' : 's'} ${missing.length > 10 ? `${missing.slice(0, 10).join(', ')}, ...` : missing.join(', ')} missing (${missing.length} of ${count})`;
    if (!partial) throw new UsageError(`${list}: give every shard's summary, or --partial to merge those given`);
    warnings.push(`partial merge (--partial): ${list}: the counts are those of ${count - missing.length} shard${count - missing.length === 1 ? '' : 's'}`);
  }
  return { shards: [...seen.values()].map((v) => v.shard).sort((a, b) => a.index - b.index), warnings };
}

/** The rows of every summary for one nature, grouped by (id, cut, request) and merged exactly. */
function mergeRows(lists: ByRequest[][], nature: 'req' | 'tra', runners: RunnerEnd[], wall: number): ByRequest[] {
  return byRequestKey(lists.flat()).map((g) => {
    const seconds = activeSeconds(runners, g[0]!.id, g[0]!.cut, wall);
    const lengths = [...new Set(g.flatMap((r) => r.lengths))].sort((a, b) => a - b);
    const merged = rowOf(mergeAggs(g.map((r) => aggOfRow(r, nature))), lengths, seconds);
    if (lengths.length > 1) {
      merged.byLength = lengths.map((len) => {
        // A shard's row per length: its byLength row, or the row itself when it ran at that length only.
        const of = g.flatMap((r) => (r.byLength ?? [r]).filter((b) => b.lengths.length === 1 && b.lengths[0] === len));
        return rowOf(mergeAggs(of.map((r) => aggOfRow(r, nature))), [len], seconds);
      });
    }
    return merged;
  });
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** The shards' summaries merged into one summary of the same schema (thresholds are judged by the caller). */
export function mergeSummaries(inputs: readonly SummaryInput[], options: MergeOptions = {}): Summary {
  const { shards, warnings: mergeWarnings } = checkShards(inputs, options.partial === true);
  const all = inputs.map((i) => i.summary);
  const startedAt = Math.min(...all.map((s) => Date.parse(s.startedAt)));
  const endedAt = Math.max(...all.map((s) => Date.parse(s.endedAt)));
  const byRunner: RunnerSummary[] = all.flatMap((s) => s.byRunner.map((r) => (s.shard !== undefined ? { ...r, shard: s.shard.index } : r)));
  const runners = byRunner.map(runnerEnd);
  const series = mergeSeries(all.map((s) => s.series));
  const wall = (endedAt - startedAt) / 1000;
  const active = activeSpan(runners);
  const span = active !== undefined ? (active.to - active.from) / 1000 : wall;
  const requests = sum(all.map((s) => s.requests.count));
  const errors = sum(all.map((s) => s.requests.errors));
  // ok requests: a failed request is not throughput
  const mean = span > 0 ? r2((requests - errors) / span) : 0;
  const hwm = throughputHwm(series, mean, requests, active?.to ?? endedAt);
  const queueHwm = all.reduce((best, s) => (s.queue.lengthHwm > best.queue.lengthHwm ? s : best), all[0]!);
  const withArrivals = all.filter((s) => s.arrivals !== undefined);
  const errorsByType: Record<string, number> = {};
  for (const s of all) addCounts(errorsByType, s.errorsByType);
  const errorSamples: ErrorSamples = {};
  for (const s of all) addSamples(errorSamples, s.errorSamples);
  // Each shard's warnings, with its index; then what the merge itself has to say.
  const warnings = all.flatMap((s) => (s.shard !== undefined ? s.warnings.map((w) => `shard ${s.shard!.index}: ${w}`) : s.warnings));
  warnings.push(...mergeWarnings);
  const t0s = shards.filter((s) => s.t0 !== null).map((s) => Date.parse(s.t0!));
  if (shards.some((s) => s.startAt === null) && t0s.length > 1) {
    warnings.push(`the shards were started without --start-at: their t0 spread over ${Math.max(...t0s) - Math.min(...t0s)} ms (each by its own clock)`);
  }
  const late = shards.filter((s) => s.lateMs > 0);
  if (late.length > 0)
    warnings.push(
      `${late.length} shard${late.length === 1 ? ' was' : 's were'} ready after --start-at and started late (${late.map((s) => `shard ${s.index} by ${s.lateMs} ms`).join(', ')})`,
    );
  return {
    version: 2,
    startedAt: iso(startedAt),
    endedAt: iso(endedAt),
    wallSeconds: r2(wall),
    interrupted: all.some((s) => s.interrupted),
    runners: {
      planned: sum(all.map((s) => s.runners.planned)),
      started: sum(all.map((s) => s.runners.started)),
      ended: sum(all.map((s) => s.runners.ended)),
      failed: sum(all.map((s) => s.runners.failed)),
    },
    events: { sent: sum(all.map((s) => s.events.sent)), received: sum(all.map((s) => s.events.received)), lost: sum(all.map((s) => s.events.lost)) },
    requests: {
      count: requests,
      errors,
      throughputMean: mean,
      errorRateMean: span > 0 ? r2(errors / span) : 0,
      throughputHwm: hwm.tps,
      throughputHwmAt: hwm.at,
      ...retriesOf(all.map((s) => s.requests)),
    },
    transactions: { count: sum(all.map((s) => s.transactions.count)), errors: sum(all.map((s) => s.transactions.errors)) },
    queue: { lengthHwm: queueHwm.queue.lengthHwm, lengthHwmAt: queueHwm.queue.lengthHwmAt, lagMsHwm: Math.max(...all.map((s) => s.queue.lagMsHwm)) },
    ...(withArrivals.length > 0
      ? {
          arrivals: {
            planned: sum(withArrivals.map((s) => s.arrivals!.planned)),
            started: sum(withArrivals.map((s) => s.arrivals!.started)),
            dropped: sum(withArrivals.map((s) => s.arrivals!.dropped)),
          },
        }
      : {}),
    byRequest: mergeRows(
      all.map((s) => s.byRequest),
      'req',
      runners,
      span,
    ),
    byTransaction: mergeRows(
      all.map((s) => s.byTransaction),
      'tra',
      runners,
      span,
    ),
    errorsByType,
    errorSamples,
    byRunner,
    warnings,
    series,
    shards,
  };
}
