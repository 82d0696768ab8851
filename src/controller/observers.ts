/**
 * The observers of a run, in one list and in the order they hear each event (src/stats/runObserver.ts):
 * the progress first (its block is closed before the summary is printed), then what is written at the
 * end: the summary JSON, the report, and last the metrics endpoint's wait for a final scrape. A new
 * observer is one entry here.
 */
import type { RunPlan } from '../core/plan.js';
import type { MetricsServer } from '../metrics/MetricsServer.js';
import { metricsObserver } from '../metrics/metricsObserver.js';
import type { LiveTerminal } from '../progress/LiveTerminal.js';
import { progressObserver } from '../progress/progressObserver.js';
import { reportObserver } from '../report/writeReport.js';
import type { RunObserver } from '../stats/runObserver.js';
import { summaryJsonObserver } from '../stats/writeSummary.js';

export interface ObserverIO {
  stdout?: NodeJS.WritableStream;
  signal?: AbortSignal;
  forceSignal?: AbortSignal;
  say: (s: string) => void;
  live: LiveTerminal | undefined;
  metrics: MetricsServer | undefined;
}

export function runObservers(plan: RunPlan, io: ObserverIO): RunObserver[] {
  const list: RunObserver[] = [progressObserver(io.live, plan.quiet === true)];
  if (plan.summaryJson !== '') list.push(summaryJsonObserver(plan.summaryJson, io.stdout, io.say));
  if (plan.report !== undefined && plan.report !== '') list.push(reportObserver(plan.report, io.say));
  if (io.metrics !== undefined) list.push(metricsObserver(io.metrics, io.signal, io.forceSignal));
  return list;
}
