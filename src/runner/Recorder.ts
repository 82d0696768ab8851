/**
 * The runner's side of the stats queue. Every event is counted here (per key counts, errors,
 * HdrHistograms of latency and service time) and, when an event stream is written, copied into a
 * columnar batch. Batches go to the main process over IPC; the main process acknowledges them and a
 * runner that has `window` batches unacknowledged waits (backpressure): events are never dropped.
 *
 * Per event the work is a few array stores and one histogram record: no allocation on the hot path.
 */
import * as hdr from 'hdr-histogram-js';
import type { Clock } from '../cut/clock.js';
import { LatencyCounts } from '../stats/LatencyCounts.js';
import type { OperationSink } from '../cut/Operation.js';
import { errorText, errorType, rcOf } from '../cut/RequestError.js';
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
  type BatchMessage,
  type HistogramDelta,
  type KeyDef,
  type KeyDelta,
} from '../protocol.js';

/** Distinct error texts interned per runner at most; past it, texts are reduced to their type. */
const MAX_ERROR_TEXTS = 10_000;
/** Histogram deltas ship with a batch at most this often (and always with the last one). */
const HISTOGRAM_EVERY_MS = 250;

export function newHistogram(): hdr.Histogram {
  // Microseconds, 3 significant digits, growing as needed: exact merge across runners.
  return hdr.build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

class KeyStats {
  count = 0; // in the current batch
  errors = 0; // in the current batch
  latency = new LatencyCounts(); // since the last histogram shipment
  service: LatencyCounts | undefined;
  n = 0;
  min = Infinity;
  max = 0;
  sum = 0;
  serviceSum = 0;
  constructor(
    readonly def: KeyDef,
    openModel: boolean,
  ) {
    if (openModel) this.service = new LatencyCounts();
  }
}

export interface RecorderOptions {
  clock: Clock;
  shipEvents: boolean;
  batchSize: number;
  window: number;
  openModel: boolean;
  send: (msg: BatchMessage) => void;
}

export class Recorder implements OperationSink {
  readonly clock: Clock;
  private readonly shipEvents: boolean;
  private readonly batchSize: number;
  private readonly window: number;
  private readonly openModel: boolean;
  private readonly send: (msg: BatchMessage) => void;

  private readonly reqKeys = new Map<string, number>();
  private readonly traKeys = new Map<string, number>();
  private readonly keys: KeyStats[] = [];
  private newKeys: KeyDef[] = [];
  private readonly errIds = new Map<string, number>();
  private newErrors: string[] = [];
  private errBase = 0;
  private errorTypes: Record<string, number> | undefined;
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

  /** requests recorded by this runner in all (its local count) */
  localCount = 0;
  localCountBefore = 0;
  localTps = 0;
  transactions = 0;
  sentEvents = 0;
  sentBatches = 0;
  /** ms spent waiting for the stats queue (backpressure) */
  blockedMs = 0;

  constructor(o: RecorderOptions) {
    this.clock = o.clock;
    this.shipEvents = o.shipEvents;
    this.batchSize = o.batchSize;
    this.window = o.window;
    this.openModel = o.openModel;
    this.send = o.send;
    this.buf = new Float64Array(o.shipEvents ? o.batchSize * EVENT_FIELDS : 0);
  }

  requestKey(name: string): number {
    return this.reqKeys.get(name) ?? this.addKey(this.reqKeys, 'req', name);
  }

  transactionKey(name: string): number {
    return this.traKeys.get(name) ?? this.addKey(this.traKeys, 'tra', name);
  }

  private addKey(map: Map<string, number>, nature: 'req' | 'tra', request: string): number {
    const def: KeyDef = { id: this.keys.length, nature, request };
    this.keys.push(new KeyStats(def, this.openModel));
    this.newKeys.push(def);
    map.set(request, def.id);
    return def.id;
  }

  nextTransaction(): number {
    return this.txSeq++;
  }

  event(key: number, tx: number, step: number, intended: number, begin: number, end: number, err: unknown): void {
    const ks = this.keys[key]!;
    const elapsed = end - intended;
    const service = end - begin;
    if (ks.count === 0 && ks.errors === 0) this.touched.push(key);
    ks.count++;
    let rc = 0;
    let errId = -1;
    if (err !== undefined) {
      ks.errors++;
      rc = rcOf(err);
      const type = errorType(err);
      // errorsByType counts requests' errors; a transaction's error is one of them again.
      if (ks.def.nature === 'req') (this.errorTypes ??= {})[type] = (this.errorTypes[type] ?? 0) + 1;
      if (this.shipEvents) errId = this.internError(err, type);
    }
    if (ks.def.nature === 'req') {
      this.batchRequests++;
      this.localCount++;
    } else {
      this.batchTransactions++;
      this.transactions++;
    }
    ks.latency.record(elapsed * 1000);
    if (ks.service !== undefined) ks.service.record(service * 1000);
    ks.n++;
    if (elapsed < ks.min) ks.min = elapsed;
    if (elapsed > ks.max) ks.max = elapsed;
    ks.sum += elapsed;
    ks.serviceSum += service;
    if (this.shipEvents) {
      const b = this.buf;
      const o = this.n * EVENT_FIELDS;
      b[o + F_BEGIN] = this.clock.toEpoch(begin);
      b[o + F_ELAPSED] = elapsed;
      b[o + F_KEY] = key;
      b[o + F_STEP] = step;
      b[o + F_RC] = rc;
      b[o + F_TX] = tx;
      b[o + F_ERR] = errId;
      b[o + F_SERVICE] = service;
    }
    if (++this.n === this.batchSize) this.flush();
  }

  private internError(err: unknown, type: string): number {
    let text = errorText(err);
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
    while (this.mustWait) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.blockedMs += this.clock.now() - t;
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

  /** Sends what was recorded since the last batch; with `final`, the histograms too, always. */
  flush(final = false): void {
    const now = this.clock.now();
    const shipHistograms = final || now - this.lastHistogramAt >= HISTOGRAM_EVERY_MS;
    if (this.n === 0 && this.newKeys.length === 0 && !(shipHistograms && this.hasHistogramData())) return;
    const deltas: KeyDelta[] = [];
    for (const k of this.touched) {
      const ks = this.keys[k]!;
      deltas.push({ key: k, count: ks.count, errors: ks.errors });
      ks.count = 0;
      ks.errors = 0;
    }
    this.touched = [];
    const msg: BatchMessage = {
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
    return this.keys.some((k) => k.n > 0);
  }

  private readonly scratch = newHistogram();

  /** A compressed HdrHistogram of what counts holds, which is then cleared. */
  private encode(counts: LatencyCounts): string {
    this.scratch.reset();
    counts.drainInto(this.scratch);
    return hdr.encodeIntoCompressedBase64(this.scratch);
  }

  private takeHistograms(): HistogramDelta[] {
    const out: HistogramDelta[] = [];
    for (const ks of this.keys) {
      if (ks.n === 0) continue;
      const d: HistogramDelta = {
        key: ks.def.id,
        latency: this.encode(ks.latency),
        min: ks.min,
        max: ks.max,
        sum: ks.sum,
        serviceSum: ks.serviceSum,
        count: ks.n,
      };
      if (ks.service !== undefined) d.service = this.encode(ks.service);
      out.push(d);
      ks.n = 0;
      ks.min = Infinity;
      ks.max = 0;
      ks.sum = 0;
      ks.serviceSum = 0;
    }
    return out;
  }
}
