/**
 * The Prometheus metrics of a run (--metrics-port), read from the stats queue's aggregates when
 * Prometheus scrapes: counts, errors by type, merged latency histograms, runners and queue. Nothing
 * is added to the runners' or the stats queue's per-event work (prom-client's collect() callbacks).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { StatsQueue } from '../stats/StatsQueue.js';
import { allOf, mergeAggs, type RequestAgg } from '../stats/aggregate.js';
import { HdrPromHistogram, KMS_LATENCY_BUCKETS, type HdrSeries } from './HdrPromHistogram.js';

export function runMetrics(queue: StatsQueue, plannedRunners: number): Registry {
  const registry = new Registry();
  const aggs = () => queue.aggs.values();

  /** Requests or transactions done, by outcome: one counter per nature. */
  const outcomes = (nature: 'req' | 'tra', name: string, help: string, label: 'request' | 'transaction') =>
    new Counter({
      name,
      help,
      labelNames: ['id', 'cut', label, 'outcome'],
      registers: [],
      collect() {
        this.reset();
        for (const a of aggs()) {
          if (a.nature !== nature) continue;
          this.inc({ id: a.id, cut: a.cut, [label]: a.request, outcome: 'ok' }, a.count - a.errors);
          this.inc({ id: a.id, cut: a.cut, [label]: a.request, outcome: 'error' }, a.errors);
        }
      },
    });
  registry.registerMetric(outcomes('req', 'pylogen_requests_total', 'Requests done, by line id, CUT, request name and outcome (ok or error)', 'request'));
  registry.registerMetric(
    outcomes(
      'tra',
      'pylogen_transactions_total',
      'Transactions (operations of several requests) done, by line id, CUT, transaction name and outcome',
      'transaction',
    ),
  );
  registry.registerMetric(
    new Counter({
      name: 'pylogen_errors_total',
      help: 'Request errors by line id, CUT and type (ThrottlingException, TimeoutError, ECONNRESET, a class name)',
      labelNames: ['id', 'cut', 'type'] as const,
      registers: [],
      collect() {
        this.reset();
        for (const r of queue.runners) {
          if (r === undefined) continue;
          for (const [type, n] of Object.entries(r.errorTypes)) this.inc({ id: r.labels.id, cut: r.labels.cut, type }, n);
        }
      },
    }),
  );
  registry.registerMetric(
    new HdrPromHistogram(
      {
        name: 'pylogen_latency_seconds',
        help: 'Latency of requests (nature req) and transactions (tra), from the intended start in the open model',
        labelNames: ['id', 'cut', 'nature', 'request'] as const,
        buckets: KMS_LATENCY_BUCKETS,
      },
      function* (): Iterable<HdrSeries<'id' | 'cut' | 'nature' | 'request'>> {
        // One series per request name: its lengths (steps) and outcomes (ok, failed) merged exactly.
        const groups = new Map<string, RequestAgg[]>();
        for (const a of aggs()) {
          const k = `${a.id}\0${a.cut}\0${a.nature}\0${a.request}`;
          const g = groups.get(k);
          if (g === undefined) groups.set(k, [a]);
          else g.push(a);
        }
        for (const g of groups.values()) {
          const a = g.length === 1 ? g[0]! : mergeAggs(g);
          const all = allOf(a);
          yield { labels: { id: a.id, cut: a.cut, nature: a.nature, request: a.request }, histogram: all.latency, sum: all.sum / 1000 };
        }
      },
    ),
  );
  registry.registerMetric(
    new Gauge({
      name: 'pylogen_active_runners',
      help: 'Runners running now',
      registers: [],
      collect() {
        this.set(queue.activeRunners);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'pylogen_runners',
      help: 'Runners of the run (planned)',
      registers: [],
      collect() {
        this.set(plannedRunners);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'pylogen_queue_length',
      help: 'Events the runners sent that the stats queue has not yet acknowledged',
      registers: [],
      collect() {
        this.set(queue.queueLength);
      },
    }),
  );
  return registry;
}
