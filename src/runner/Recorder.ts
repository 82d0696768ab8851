/**
 * The runner's side of the stats queue. Every event is counted here (per key counts, errors,
 * HdrHistograms of latency and service time) and, when an event stream is written, copied into a
 * columnar batch. Batches go to the main process over IPC; the main process acknowledges them and a
 * runner that has `window` batches unacknowledged waits (backpressure): events are never dropped.
 *
 * Per event the work is a few array stores and one histogram record: no allocation on the hot path.
 */
import type { Clock } from '../cut/clock.js';
import { LatencyCounts } from '../stats/LatencyCounts.js';
import type { OperationSink } from '../cut/Operation.js';
import { errorText, errorType, rcOf } from '../cut/RequestError.js';
import { redactText } from '../core/redact.js';
import { ERROR_SAMPLES, ERROR_SAMPLE_TYPES } from '../core/errorSamples.js';
import {
  EVENT_FIELDS,
  F_BEGIN,
  F_ELAPSED,
  F_ERR,
  F_KEY,
  F_RC,
  F_SERVICE,
  F_STEP,
  F_TX,
  type ArrivalCounts,
  type BatchMessage,
  type HistogramDelta,
  type KeyDef,
  type KeyDelta,
  type LatencyDelta,
} from '../core/protocol.js';
import { MAX_ERROR_TYPES, MAX_NAMES, OTHER } from '../core/bounds.js';

/** Distinct error texts interned per runner at most; past it, texts are reduced to their type. */
const MAX_ERROR_TEXTS = 10_000;

/** `name` if `seen` has it or has room for it (it is then added), else OTHER. */
function bounded(seen: Set<string>, name: string, max: number): string {
  if (seen.has(name)) return name;
  if (seen.size >= max) return OTHER;
  seen.add(name);
  return name;
}
/** Errors of one type looked at for distinct samples at most: past it, the type's samples are final. */
const SAMPLE_TRIES = 200;

/** Histogram deltas ship with a batch at most this often (and always with the last one). */
const HISTOGRAM_EVERY_MS = 250;

/** Latencies of one kind of outcome (ok or failed) of a key, since the last histogram shipment. */
class Recording {
  latency = new LatencyCounts();
  service: LatencyCounts | undefined;
  n = 0;
  min = Infinity;
  max = 0;
  sum = 0;
  serviceSum = 0;
  constructor(openModel: boolean) {
    if (openModel) this.service = new LatencyCounts();
  }
}

/** One key: (nature, request, step). */
class KeyStats {
  count = 0; // in the current batch
  errors = 0; // in the current batch
  errorTypes: Record<string, number> | undefined; // in the current batch
  readonly ok: Recording;
  failed: Recording | undefined; // made at the first error
  /** def.step and def.nature, one pointer closer: they are read on every event */
  readonly step: number;
  readonly nature: 'req' | 'tra';
  constructor(
    readonly def: KeyDef,
    readonly openModel: boolean,
  ) {
    this.ok = new Recording(openModel);
    this.step = def.step;
    this.nature = def.nature;
  }
}

/** A request or transaction name: one KeyStats per step (payload length) it is used with. */
class NameKey {
  readonly steps: KeyStats[] = [];
  /**
   * the index in steps of the last event's key. The loops cycle through --lengths in order, so the
   * next event's key is mostly this one (one length) or the next (several): two compares, no lookup.
   */
  last = 0;
  /** steps[last] (undefined before the first event) */
  lastKey: KeyStats | undefined;
  constructor(
    readonly nature: 'req' | 'tra',
    readonly request: string,
    /** items per request (a batch), 1 otherwise */
    readonly items = 1,
  ) {}
}

export interface RecorderOptions {
  clock: Clock;
  shipEvents: boolean;
  batchSize: number;
  window: number;
  openModel: boolean;
  send: (msg: BatchMessage) => void;
  /** --summary in ms: batches are labelled with the wall-clock-aligned interval they belong to */
  intervalMs?: number;
  /** takes the run's known secrets out of an error text before it is kept (src/core/redact.ts) */
  redact?: (text: string) => string;
}

export class Recorder implements OperationSink {
  readonly clock: Clock;
  private readonly shipEvents: boolean;
  private readonly batchSize: number;
  private readonly window: number;
  private readonly openModel: boolean;
  private readonly send: (msg: BatchMessage) => void;

  private readonly intervalMs: number;
  private readonly redact: (text: string) => string;
  /** epoch ms of the start of the interval the events recorded since the last flush belong to */
  private interval = 0;
  /** the end of that interval on the runner's clock: an event that ends from then on is the next's */
  private intervalEnd = Infinity;
  /** an open-model runner's arrival counters, read at each flush */
  arrivals: (() => ArrivalCounts) | undefined;

  private readonly reqKeys = new Map<string, number>();
  private readonly traKeys = new Map<string, number>();
  /** request and transaction names, by the id requestKey / transactionKey return */
  private readonly names: NameKey[] = [];
  /** (name, step) keys, by the id that travels in batches */
  private readonly keys: KeyStats[] = [];
  private newKeys: KeyDef[] = [];
  private readonly errIds = new Map<string, number>();
  /** the distinct error types seen (at most MAX_ERROR_TYPES, then OTHER) */
  private readonly types = new Set<string>();
  private newErrors: string[] = [];
  private errBase = 0;
  private errorTypes: Record<string, number> | undefined;
  /** per error type: its samples so far, and how many of its errors were looked at */
  private readonly samples = new Map<string, { texts: string[]; tries: number }>();
  private newSamples: Record<string, string[]> | undefined;
  private touched: number[] = [];

  private buf: Float64Array;
  private n = 0; // events in the current batch
  private batchRequests = 0;
  private batchTransactions = 0;
  private txSeq = 0;
  private seq = 0;
  private acked = 0;
  private lastHistogramAt = 0;
  private waiters: (() => void)[] = [];
  /** event counts of the unacknowledged batches, in seq order */
  private unacked: number[] = [];
  private unackedEvents = 0;

  /** OperationSink.transactional: set from the CUT's source, learnt from its operations */
  transactional = false;
  /** requests recorded by this runner in all (its local count) */
  localCount = 0;
  /** failed requests among them: the local throughput counts the ok ones */
  localErrors = 0;
  localCountBefore = 0;
  localTps = 0;
  transactions = 0;
  sentEvents = 0;
  sentBatches = 0;
  /** ms spent waiting for the stats queue (backpressure), the waits still going on included */
  get blockedMs(): number {
    return this.blockedDone + (this.waitingN > 0 ? this.waitingN * this.clock.now() - this.waitingSum : 0);
  }
  private blockedDone = 0;
  /** waits going on, and the sum of their start instants */
  private waitingN = 0;
  private waitingSum = 0;

  constructor(o: RecorderOptions) {
    this.clock = o.clock;
    this.shipEvents = o.shipEvents;
    this.batchSize = o.batchSize;
    this.window = o.window;
    this.redact = o.redact ?? ((t) => t);
    this.openModel = o.openModel;
    this.send = o.send;
    this.intervalMs = o.intervalMs ?? 1000;
    this.startIntervals();
    this.buf = new Float64Array(o.shipEvents ? o.batchSize * EVENT_FIELDS : 0);
  }

  /** The series' intervals begin now: what is recorded from here belongs to the interval of now. */
  startIntervals(): void {
    const size = this.intervalMs;
    this.setInterval(Math.floor(this.clock.toEpoch(this.clock.now()) / size) * size);
  }

  private setInterval(epochMs: number): void {
    this.interval = epochMs;
    this.intervalEnd = this.clock.fromEpoch(epochMs + this.intervalMs);
  }

  requestKey(name: string, items = 1): number {
    return this.reqKeys.get(name) ?? this.addKey(this.reqKeys, 'req', this.reqKeys.size >= MAX_NAMES ? OTHER : name, items);
  }

  transactionKey(name: string): number {
    return this.traKeys.get(name) ?? this.addKey(this.traKeys, 'tra', this.traKeys.size >= MAX_NAMES ? OTHER : name);
  }

  private addKey(map: Map<string, number>, nature: 'req' | 'tra', request: string, items = 1): number {
    const known = map.get(request); // OTHER, once the names are past MAX_NAMES
    if (known !== undefined) return known;
    const id = this.names.length;
    this.names.push(new NameKey(nature, request, request === OTHER ? 1 : items));
    map.set(request, id);
    return id;
  }

  /** The key of a name at a step, made at its first use. */
  private stepKey(name: NameKey, step: number): KeyStats {
    const steps = name.steps;
    for (let i = 0; i < steps.length; i++) {
      const k = steps[i]!;
      if (k.step === step) {
        name.last = i;
        return k;
      }
    }
    const def: KeyDef = { id: this.keys.length, nature: name.nature, request: name.request, step, ...(name.items > 1 ? { items: name.items } : {}) };
    const k = new KeyStats(def, this.openModel);
    this.keys.push(k);
    this.newKeys.push(def);
    name.last = name.steps.length;
    name.steps.push(k);
    return k;
  }

  nextTransaction(): number {
    return this.txSeq++;
  }

  event(key: number, tx: number, step: number, intended: number, begin: number, end: number, err: unknown): void {
    // An operation that ended in the next interval closes this one first: the flush timers fall on
    // the boundaries only within a timer's delay (tens of ms on a loaded machine), and an event
    // counted in the wrong second inflates one interval's throughput (21/s from 2 runners x 10/s).
    if (end >= this.intervalEnd) this.flush(false, end);
    const name = this.names[key]!;
    let ks = name.lastKey;
    if (ks === undefined || ks.step !== step) {
      // Mostly the next length of the cycle.
      const steps = name.steps;
      let i = name.last + 1;
      if (i >= steps.length) i = 0;
      ks = i < steps.length ? steps[i] : undefined;
      if (ks !== undefined && ks.step === step) {
        name.last = i;
        name.lastKey = ks;
      } else {
        ks = name.lastKey = this.stepKey(name, step);
      }
    }
    const elapsed = end - intended;
    const service = end - begin;
    if (ks.count === 0) this.touched.push(ks.def.id);
    ks.count++;
    let rc = 0;
    let errId = -1;
    let t = ks.ok;
    if (err !== undefined) {
      errId = this.countError(ks, err);
      rc = rcOf(err);
      t = ks.failed!;
    }
    if (ks.nature === 'req') {
      this.batchRequests++;
      this.localCount++;
    } else {
      this.batchTransactions++;
      this.transactions++;
    }
    t.latency.record(elapsed * 1000);
    if (t.service !== undefined) t.service.record(service * 1000);
    t.n++;
    if (elapsed < t.min) t.min = elapsed;
    if (elapsed > t.max) t.max = elapsed;
    t.sum += elapsed;
    t.serviceSum += service;
    if (this.shipEvents) {
      const b = this.buf;
      const o = this.n * EVENT_FIELDS;
      b[o + F_BEGIN] = this.clock.toEpoch(begin);
      b[o + F_ELAPSED] = elapsed;
      b[o + F_KEY] = ks.def.id;
      b[o + F_STEP] = step;
      b[o + F_RC] = rc;
      b[o + F_TX] = tx;
      b[o + F_ERR] = errId;
      b[o + F_SERVICE] = service;
    }
    if (++this.n === this.batchSize) this.flush();
  }

  /** An error's counts by type (off the hot path of ok events); its interned text id when events ship. */
  private countError(ks: KeyStats, err: unknown): number {
    ks.errors++;
    ks.failed ??= new Recording(ks.openModel);
    const type = bounded(this.types, errorType(err), MAX_ERROR_TYPES);
    // errorsByType counts requests' errors; a transaction's error is one of them again.
    if (ks.def.nature === 'req') {
      (this.errorTypes ??= {})[type] = (this.errorTypes[type] ?? 0) + 1;
      this.localErrors++;
      this.sample(type, err);
    }
    (ks.errorTypes ??= {})[type] = (ks.errorTypes[type] ?? 0) + 1;
    return this.shipEvents ? this.internError(err, type) : -1;
  }

  /** Keeps the first few distinct messages of each error type, redacted: they show why requests fail (docs/when-things-go-wrong.md). */
  private sample(type: string, err: unknown): void {
    let s = this.samples.get(type);
    if (s === undefined) {
      if (this.samples.size >= ERROR_SAMPLE_TYPES) return;
      this.samples.set(type, (s = { texts: [], tries: 0 }));
    }
    if (s.texts.length >= ERROR_SAMPLES || s.tries >= SAMPLE_TRIES) return;
    s.tries++;
    const text = this.redact(redactText(errorText(err)));
    if (s.texts.includes(text)) return;
    s.texts.push(text);
    ((this.newSamples ??= {})[type] ??= []).push(text);
  }

  private internError(err: unknown, type: string): number {
    let text = this.redact(errorText(err));
    if (this.errIds.size >= MAX_ERROR_TEXTS && !this.errIds.has(text)) text = type;
    let id = this.errIds.get(text);
    if (id === undefined) {
      id = this.errIds.size;
      this.errIds.set(text, id);
      this.newErrors.push(text);
    }
    return id;
  }

  /** Whether the runner must wait for the stats queue before its next operation. */
  get mustWait(): boolean {
    return this.seq - this.acked >= this.window;
  }

  /** Resolves when the backpressure window has room again. */
  async waitForWindow(): Promise<void> {
    if (!this.mustWait) return;
    const t = this.clock.now();
    this.waitingN++;
    this.waitingSum += t;
    try {
      while (this.mustWait) await new Promise<void>((resolve) => this.waiters.push(resolve));
    } finally {
      this.waitingN--;
      this.waitingSum -= t;
      this.blockedDone += this.clock.now() - t;
    }
  }

  ack(seq: number): void {
    while (this.acked < seq && this.unacked.length > 0) {
      this.acked++;
      this.unackedEvents -= this.unacked.shift()!;
    }
    if (seq > this.acked) this.acked = seq;
    if (!this.mustWait && this.waiters.length > 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const resolve of w) resolve();
    }
  }

  /** Batches sent and not yet acknowledged. */
  get pending(): number {
    return this.seq - this.acked;
  }

  /**
   * Sends what was recorded since the last batch; with `final`, the histograms too, always. `now`:
   * the instant it happens at (an event's end that crossed into the next interval), else the clock's.
   */
  flush(final = false, now = this.clock.now()): void {
    // The series' interval: what was recorded since the last flush belongs to the interval of that
    // flush; crossing into a new interval ships the histograms, so each interval has its own.
    const size = this.intervalMs;
    const current = Math.floor(this.clock.toEpoch(now) / size) * size;
    const crossed = current !== this.interval;
    const shipHistograms = final || crossed || now - this.lastHistogramAt >= HISTOGRAM_EVERY_MS;
    if (this.n === 0 && this.newKeys.length === 0 && !(shipHistograms && this.hasHistogramData()) && !(crossed && this.arrivals !== undefined)) {
      this.setInterval(current);
      return;
    }
    const deltas: KeyDelta[] = [];
    for (const k of this.touched) {
      const ks = this.keys[k]!;
      const d: KeyDelta = { key: k, count: ks.count, errors: ks.errors };
      if (ks.errorTypes !== undefined) {
        d.errorTypes = ks.errorTypes;
        ks.errorTypes = undefined;
      }
      deltas.push(d);
      ks.count = 0;
      ks.errors = 0;
    }
    this.touched = [];
    const msg: BatchMessage = {
      interval: this.interval,
      type: 'batch',
      seq: ++this.seq,
      sentAt: this.clock.toEpoch(now),
      eventCount: this.n,
      requests: this.batchRequests,
      transactions: this.batchTransactions,
      deltas,
      queued: this.unackedEvents + this.n,
      localCountBefore: this.localCountBefore,
      localTps: this.localTps,
    };
    this.setInterval(current);
    if (this.arrivals !== undefined) msg.arrivals = this.arrivals();
    this.unacked.push(this.n);
    this.unackedEvents += this.n;
    if (this.newKeys.length > 0) {
      msg.newKeys = this.newKeys;
      this.newKeys = [];
    }
    if (this.newErrors.length > 0) {
      msg.newErrors = this.newErrors;
      msg.errBase = this.errBase;
      this.errBase += this.newErrors.length;
      this.newErrors = [];
    }
    if (this.errorTypes !== undefined) {
      msg.errorTypes = this.errorTypes;
      this.errorTypes = undefined;
    }
    if (this.newSamples !== undefined) {
      msg.errorSamples = this.newSamples;
      this.newSamples = undefined;
    }
    if (this.shipEvents && this.n > 0) {
      // Serialization copies synchronously in send(): a full buffer can be reused at once.
      msg.events = this.n === this.batchSize ? this.buf : this.buf.slice(0, this.n * EVENT_FIELDS);
    }
    if (shipHistograms) {
      msg.histograms = this.takeHistograms();
      this.lastHistogramAt = now;
    }
    this.sentEvents += this.n;
    this.sentBatches++;
    this.localCountBefore = this.localCount;
    this.n = 0;
    this.batchRequests = 0;
    this.batchTransactions = 0;
    this.send(msg);
  }

  private hasHistogramData(): boolean {
    return this.keys.some((k) => k.ok.n > 0 || (k.failed !== undefined && k.failed.n > 0));
  }

  /** A compressed HdrHistogram of what counts holds, which is then cleared. */
  private encode(counts: LatencyCounts): string {
    return counts.encodeCompressed();
  }

  /** What t recorded since the last shipment, which is then cleared. */
  private take(t: Recording): LatencyDelta {
    const d: LatencyDelta = { n: t.n, min: t.min, max: t.max, sum: t.sum, serviceSum: t.serviceSum, latency: this.encode(t.latency) };
    if (t.service !== undefined) d.service = this.encode(t.service);
    t.n = 0;
    t.min = Infinity;
    t.max = 0;
    t.sum = 0;
    t.serviceSum = 0;
    return d;
  }

  private takeHistograms(): HistogramDelta[] {
    const out: HistogramDelta[] = [];
    for (const ks of this.keys) {
      const okN = ks.ok.n;
      const failedN = ks.failed?.n ?? 0;
      if (okN === 0 && failedN === 0) continue;
      const d: HistogramDelta = { key: ks.def.id };
      if (okN > 0) d.ok = this.take(ks.ok);
      if (failedN > 0) d.failed = this.take(ks.failed!);
      out.push(d);
    }
    return out;
  }
}
