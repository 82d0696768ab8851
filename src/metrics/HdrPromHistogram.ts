/**
 * A Prometheus histogram whose buckets are read, at scrape time, from the stats queue's merged
 * HdrHistograms: nothing is observed per event, the runners' shipped histograms are the source.
 * prom-client's Histogram only counts what is observe()d one value at a time, so this subclass keeps
 * its name, help, type and text rendering and replaces the values it reports (get /
 * getForPromString, what prom-client's Registry reads).
 */
import { Histogram, type LabelValues } from 'prom-client';
import type { Histogram as Hdr, JsHistogram } from 'hdr-histogram-js';

export interface HdrSeries<T extends string> {
  labels: LabelValues<T>;
  /** latencies in µs */
  histogram: Hdr;
  /** the sum of the recorded values, in the metric's unit (seconds) */
  sum: number;
}

/** Upper bounds suited to KMS latencies, in seconds: 0.1 ms .. 10 s, 1-2-5 steps. */
export const KMS_LATENCY_BUCKETS = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] as const;

/**
 * Cumulative counts of the values at or below each bound (µs): one pass over the recorded buckets.
 * A value counts under a bound when its HdrHistogram bucket's highest equivalent value is at or
 * below it (3 significant digits: the bucket boundary is within 0.1% of the bound).
 */
export function cumulativeCounts(h: Hdr, boundsUs: readonly number[]): number[] {
  const out = new Array<number>(boundsUs.length).fill(0);
  if (h.totalCount === 0) return out;
  const it = (h as unknown as JsHistogram).recordedValuesIterator;
  it.reset();
  let b = 0;
  let below = 0;
  while (it.hasNext()) {
    const v = it.next();
    while (b < boundsUs.length && v.valueIteratedTo > boundsUs[b]!) out[b++] = below;
    below += v.countAtValueIteratedTo;
  }
  while (b < boundsUs.length) out[b++] = below;
  return out;
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export class HdrPromHistogram<T extends string> extends Histogram<T> {
  private readonly bounds: readonly number[];
  private readonly boundsUs: number[];
  private readonly metric: string;
  private readonly helpText: string;

  constructor(
    config: { name: string; help: string; labelNames: readonly T[]; buckets: readonly number[] },
    private readonly series: () => Iterable<HdrSeries<T>>,
  ) {
    super({ name: config.name, help: config.help, labelNames: config.labelNames, buckets: [...config.buckets], registers: [] });
    this.metric = config.name;
    this.helpText = config.help;
    this.bounds = config.buckets;
    this.boundsUs = config.buckets.map((s) => s * 1e6);
  }

  private values(): Value[] {
    const out: Value[] = [];
    for (const s of this.series()) {
      const labels = s.labels as Record<string, string | number>;
      const counts = cumulativeCounts(s.histogram, this.boundsUs);
      for (let i = 0; i < counts.length; i++) {
        out.push({ labels: { ...labels, le: this.bounds[i]! }, value: counts[i]!, metricName: `${this.metric}_bucket` });
      }
      out.push({ labels: { ...labels, le: '+Inf' }, value: s.histogram.totalCount, metricName: `${this.metric}_bucket` });
      out.push({ labels, value: s.sum, metricName: `${this.metric}_sum` });
      out.push({ labels, value: s.histogram.totalCount, metricName: `${this.metric}_count` });
    }
    return out;
  }

  private snapshot() {
    return { name: this.metric, help: this.helpText, type: 'histogram', values: this.values(), aggregator: 'sum' };
  }

  // prom-client's Metric types get() for its own metric classes: a custom one can only answer any.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override async get(): Promise<any> {
    return this.snapshot();
  }

  /** What prom-client's Registry renders the text format from. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as get() above
  async getForPromString(): Promise<any> {
    return this.snapshot();
  }
}
