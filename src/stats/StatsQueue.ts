/**
 * The single stats queue (PYLOGEN's): every runner's batches arrive here, in the main process. It
 * counts requests and transactions per (id, cut, request), merges latency histograms, computes the
 * global throughput every --summary seconds (ok requests only: a throttled request is not
 * throughput; the error rate is beside it) next to the runners' local ones, keeps
 * the high-water marks, and writes the per-event stream. It acknowledges each batch once it is
 * processed and written; runners wait when too many are unacknowledged (backpressure).
 */
import type { BatchMessage, KeyDef } from '../core/protocol.js';
import type { EventSink, RunnerLabels } from '../core/events.js';
import { mergeDelta, newAgg, type RequestAgg } from './aggregate.js';
import { SeriesBuilder, type SeriesRowKey } from './series.js';
import { IntervalStats } from './IntervalStats.js';
import { addSamples, type ErrorSamples } from '../core/errorSamples.js';

export interface RunnerStats {
  labels: RunnerLabels;
  /** runner key id → aggregate */
  aggs: RequestAgg[];
  /** runner key id → its series row (all lengths together) */
  rows: SeriesRowKey[];
  receivedEvents: number;
  receivedBatches: number;
  localTps: number;
  localCount: number;
  lastSeq: number;
  queued: number;
  active: boolean;
  cpuMax: number;
  cpuSamples: number[];
  /** this runner's request errors by type (what the metrics endpoint labels by line) */
  errorTypes: Record<string, number>;
}

export interface Tick {
  at: number; // epoch ms
  elapsedS: number;
  globalCount: number;
  /** ok requests per second over the interval (the throughput); failed ones are errorTps */
  globalTps: number;
  errorTps: number;
  localTpsSum: number;
  activeRunners: number;
  queueLength: number;
  lagMs: number;
  errors: number;
}

export class StatsQueue {
  readonly runners: RunnerStats[] = [];
  readonly aggs = new Map<string, RequestAgg>();
  requests = 0;
  requestErrors = 0;
  transactions = 0;
  transactionErrors = 0;
  readonly errorsByType: Record<string, number> = {};
  /** per error type, its first message and a few other distinct ones (redacted by the runners) */
  readonly errorSamples: ErrorSamples = {};
  receivedEvents = 0;
  globalTps = 0;
  throughputHwm = 0;
  throughputHwmAt = 0;
  queueLengthHwm = 0;
  queueLengthHwmAt = 0;
  lagMsHwm = 0;
  private lagSinceTick = 0;
  readonly ticks: Tick[] = [];
  private lastTickAt: number;
  private lastTickCount = 0;
  private lastTickErrors = 0;
  private readonly startedAt: number;
  /** where status lines count their elapsed seconds from: t0 once the runs start */
  private ticksFrom: number;
  /** set while the output is full: acknowledgements wait for its drain */
  private draining: Promise<void> | undefined;
  /** the time series, per --summary interval (wall-clock aligned) */
  readonly series: SeriesBuilder;

  constructor(
    private readonly output: EventSink | undefined,
    private readonly ack: (slot: number, seq: number) => void,
    private readonly now: () => number = Date.now,
    intervalMs = 1000,
  ) {
    this.series = new SeriesBuilder(intervalMs);
    this.startedAt = this.now();
    this.lastTickAt = this.startedAt;
    this.ticksFrom = this.startedAt;
  }

  /** `line`: the runner's line in the plan, 0-based (the JTL thread group number) */
  addRunner(slot: number, id: string, index: number, cut: string, line = 0, tx = `${slot}:`): void {
    this.runners[slot] = {
      labels: { id, index, slot, tx, cut, line, keys: [], errors: [] },
      aggs: [],
      rows: [],
      receivedEvents: 0,
      receivedBatches: 0,
      localTps: 0,
      localCount: 0,
      lastSeq: 0,
      queued: 0,
      active: false,
      cpuMax: 0,
      cpuSamples: [],
      errorTypes: {},
    };
  }

  /** A runner is active from its start instant until it stops or fails (controller/run.ts says when). */
  setActive(slot: number, active: boolean): void {
    this.runners[slot]!.active = active;
  }

  get activeRunners(): number {
    let n = 0;
    for (const r of this.runners) if (r?.active) n++;
    return n;
  }

  /** Events sent by the runners and not yet acknowledged, over all runners. */
  get queueLength(): number {
    let q = 0;
    for (const r of this.runners) if (r !== undefined) q += r.queued;
    return q;
  }

  /** Active runners of one line (its --id). */
  activeRunnersOf(id: string): number {
    let n = 0;
    for (const r of this.runners) if (r?.active && r.labels.id === id) n++;
    return n;
  }

  private agg(r: RunnerStats, k: KeyDef): RequestAgg {
    const name = `${r.labels.id}\0${r.labels.cut}\0${k.nature}\0${k.request}\0${k.step}`;
    let a = this.aggs.get(name);
    if (a === undefined) {
      a = newAgg(r.labels.id, r.labels.cut, k.nature, k.request, k.step, k.items);
      this.aggs.set(name, a);
    }
    return a;
  }

  onBatch(slot: number, b: BatchMessage): void {
    const r = this.runners[slot]!;
    const now = this.now();
    const lag = Math.max(0, now - b.sentAt);
    if (lag > this.lagMsHwm) this.lagMsHwm = lag;
    if (lag > this.lagSinceTick) this.lagSinceTick = lag;
    if (b.newKeys !== undefined) {
      for (const k of b.newKeys) {
        r.labels.keys[k.id] = { nature: k.nature, request: k.request };
        r.aggs[k.id] = this.agg(r, k);
        r.rows[k.id] = { id: r.labels.id, cut: r.labels.cut, nature: k.nature, request: k.request };
      }
    }
    if (b.newErrors !== undefined) {
      for (let i = 0; i < b.newErrors.length; i++) r.labels.errors[b.errBase! + i] = b.newErrors[i]!;
    }
    const series = this.series;
    for (const d of b.deltas) {
      const a = r.aggs[d.key]!;
      a.count += d.count;
      a.errors += d.errors;
      if (a.nature === 'req') this.requestErrors += d.errors;
      else this.transactionErrors += d.errors;
      if (d.errorTypes !== undefined) {
        for (const t in d.errorTypes) a.errorsByType[t] = (a.errorsByType[t] ?? 0) + d.errorTypes[t]!;
      }
      series.addCounts(b.interval, r.rows[d.key]!, d);
    }
    if (b.errorTypes !== undefined) {
      for (const [t, n] of Object.entries(b.errorTypes)) {
        this.errorsByType[t] = (this.errorsByType[t] ?? 0) + n;
        r.errorTypes[t] = (r.errorTypes[t] ?? 0) + n;
      }
    }
    addSamples(this.errorSamples, b.errorSamples);
    if (b.histograms !== undefined) {
      for (const h of b.histograms) {
        mergeDelta(r.aggs[h.key]!, h);
        series.addHistograms(b.interval, r.rows[h.key]!, h.ok, h.failed);
      }
    }
    if (b.arrivals !== undefined) series.addArrivals(b.interval, slot, r.labels, b.arrivals);
    for (const w of this.intervals) w.add(b, r.aggs);
    let full = false;
    if (this.output !== undefined && b.events !== undefined && b.eventCount > 0) {
      full = !this.output.write({
        runner: r.labels,
        events: b.events,
        n: b.eventCount,
        localCountBefore: b.localCountBefore,
        localTps: b.localTps,
        globalCountBefore: this.requests,
        globalTps: this.globalTps,
        activeRunners: this.activeRunners,
        lineActiveRunners: this.activeRunnersOf(r.labels.id),
      });
    }
    this.requests += b.requests;
    this.transactions += b.transactions;
    this.receivedEvents += b.eventCount;
    r.receivedEvents += b.eventCount;
    r.receivedBatches++;
    r.lastSeq = b.seq;
    r.queued = b.queued;
    let q = 0;
    for (const x of this.runners) if (x !== undefined) q += x.queued;
    if (q > this.queueLengthHwm) {
      this.queueLengthHwm = q;
      this.queueLengthHwmAt = now;
    }
    series.sample(now, this.activeRunners, q, lag);
    if (full) {
      if (this.draining === undefined) {
        this.draining = this.output!.drain().then(() => {
          this.draining = undefined;
        });
      }
    }
    if (this.draining !== undefined) {
      const seq = b.seq;
      void this.draining.then(() => this.ack(slot, seq));
    } else {
      this.ack(slot, b.seq);
    }
  }

  onTick(slot: number, localTps: number, localCount: number, cpu: number): void {
    const r = this.runners[slot]!;
    r.localTps = localTps;
    r.localCount = localCount;
    if (cpu > r.cpuMax) r.cpuMax = cpu;
    r.cpuSamples.push(cpu);
  }

  /** Intervals being collected (capacity steps): each batch also goes to them. */
  private readonly intervals = new Set<IntervalStats>();

  /** Collects the batches sent from `from` to `to` (epoch ms) apart, until closeInterval(). */
  openInterval(from: number, to = Infinity): IntervalStats {
    const w = new IntervalStats(from, to);
    this.intervals.add(w);
    return w;
  }

  closeInterval(w: IntervalStats): void {
    this.intervals.delete(w);
  }

  /** Starts the periodic computations now (at t0): the first interval begins here. */
  startTicks(): void {
    this.lastTickAt = this.now();
    this.lastTickCount = this.requests;
    this.lastTickErrors = this.requestErrors;
    this.ticksFrom = this.lastTickAt;
  }

  /** The global throughput of the interval since the last tick (ok requests only), and the HWMs. */
  tick(): Tick {
    const now = this.now();
    const dt = (now - this.lastTickAt) / 1000;
    const errors = this.requestErrors - this.lastTickErrors;
    this.globalTps = dt > 0 ? (this.requests - this.lastTickCount - errors) / dt : 0;
    const errorTps = dt > 0 ? errors / dt : 0;
    if (this.globalTps > this.throughputHwm) {
      this.throughputHwm = this.globalTps;
      this.throughputHwmAt = now;
    }
    let localTpsSum = 0;
    let q = 0;
    for (const r of this.runners) {
      if (r === undefined) continue;
      if (r.active) localTpsSum += r.localTps;
      q += r.queued;
    }
    const t: Tick = {
      at: now,
      elapsedS: (now - this.ticksFrom) / 1000,
      globalCount: this.requests,
      globalTps: this.globalTps,
      errorTps,
      localTpsSum,
      activeRunners: this.activeRunners,
      queueLength: q,
      lagMs: this.lagSinceTick,
      errors: this.requestErrors,
    };
    this.ticks.push(t);
    this.series.sample(now, t.activeRunners, q, this.lagSinceTick);
    this.series.sealOld();
    this.lastTickAt = now;
    this.lastTickCount = this.requests;
    this.lastTickErrors = this.requestErrors;
    this.lagSinceTick = 0;
    return t;
  }

  /** Resolves once everything written so far is flushed to the output. */
  async drained(): Promise<void> {
    if (this.draining !== undefined) await this.draining;
  }
}
