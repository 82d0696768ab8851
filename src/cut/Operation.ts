/**
 * One operation: one call of a CUT's func(). It times the requests that func() makes (PYLOGEN's
 * @Executor.exec) and decides, at its end, whether it was a transaction: an operation that timed
 * more than one request gives one `tra` event plus its `req` events, all sharing a transaction
 * number; an operation with one request has none, unless the CUT's operations are transactions
 * (OperationSink.transactional) and that one request failed: then it is a failed transaction too. Operation objects are reused by the runner, so
 * the hot path allocates nothing per operation.
 */
import { RequestError, errorText, errorType, rcOf } from './RequestError.js';
import type { Clock } from './clock.js';

/** Where an operation's events go: the runner's recorder. */
export interface OperationSink {
  readonly clock: Clock;
  /**
   * the interned key id of a request name (nature req) or transaction name (nature tra); `items`:
   * how many items each request of that name carries (a batch API's), fixed at its first use
   */
  requestKey(name: string, items?: number): number;
  transactionKey(name: string): number;
  nextTransaction(): number;
  /**
   * whether this CUT's operations are transactions (its source names several requests, or one of
   * its operations made several): an operation whose first request fails is then a failed
   * transaction too, not a lone failed request. Set by the runner; learnt by Operation.
   */
  transactional?: boolean;
  /** one event; times are the clock's monotonic ms; err is undefined on success */
  event(key: number, tx: number, step: number, intended: number, begin: number, end: number, err: unknown): void;
}

/** A named request bound to its operation: what an @exec method takes as first argument. */
export class Request {
  constructor(
    readonly op: Operation,
    readonly name: string,
    /** items each request of this name carries (a batch: Vault's batch_input), 1 otherwise */
    readonly items = 1,
  ) {}
}

const NONE = -1;

export class Operation {
  /** the current step: the payload length of this operation */
  step = 0;
  /** a payload of `step` bytes (shared and reused: treat it as read-only) */
  payload: Buffer = Buffer.alloc(0);
  /** loop number (0-based) of this operation */
  loop = 0;
  /** monotonic ms at which the operation should have started (open model) or did start (closed) */
  intended = 0;
  /** monotonic ms of the actual start */
  begin = 0;

  /** monotonic ms at which the last request of this operation ended (0 if none) */
  lastEnd = 0;
  private requests = 0;
  private lastName = '';
  private lastKey = -1;
  private tx = NONE;
  private firstError: unknown = undefined;
  private failed = false;
  // The first request is staged until the second one ends (or the operation ends), since only
  // then is it known whether it belongs to a transaction.
  private sKey = 0;
  private sBegin = 0;
  private sEnd = 0;
  private sErr: unknown = undefined;

  private readonly clock: Clock;

  constructor(
    private readonly sink: OperationSink,
    private readonly transactionName: string,
  ) {
    this.clock = sink.clock;
  }

  /** Reset for a new call of func(). */
  start(step: number, payload: Buffer, loop: number, intended: number, begin: number): void {
    this.step = step;
    this.payload = payload;
    this.loop = loop;
    this.intended = intended;
    this.begin = begin;
    this.requests = 0;
    this.lastEnd = 0;
    this.abandoned = false;
    this.running = true;
    this.flightKey = -1;
    this.tx = NONE;
    this.firstError = undefined;
    this.failed = false;
    this.sErr = undefined;
  }

  private lastReq: Request | undefined;
  /** the request in flight, if any: what abandon() records as timed out */
  private flightKey = -1;
  private flightBegin = 0;
  /** set by abandon(): late completions of this operation are ignored */
  private abandoned = false;
  /** whether the operation is between start() and finish() */
  running = false;

  /**
   * A named request of this operation, for a method decorated with @exec (reused per name). `items`:
   * how many items each request of this name carries when it is a batch (fixed by the name's first
   * use): the summary then gives items and ok items per second beside requests per second.
   */
  req(name: string, items = 1): Request {
    const r = this.lastReq;
    if (r !== undefined && r.name === name) return r;
    return (this.lastReq = new Request(this, name, items));
  }

  /**
   * Times fn as the request `name`. A thrown error (or a rejected promise) is recorded with rc 16 and
   * its class and message, then rethrown as a RequestError so that func() stops this operation.
   */
  time<T>(name: string, fn: () => T): T {
    return this.apply(name, fn, undefined, []) as T;
  }

  /**
   * time() for a method call, without a closure per call: what @exec uses. The request name's key
   * is cached, since an operation mostly repeats the same literal names.
   */
  apply(name: string, fn: (...args: never[]) => unknown, thisArg: unknown, args: ArrayLike<unknown>, items = 1): unknown {
    const sink = this.sink;
    let key = this.lastKey;
    if (name !== this.lastName) {
      key = this.lastKey = sink.requestKey(name, items);
      this.lastName = name;
    }
    const clock = this.clock;
    const t = clock.now();
    this.flightKey = key;
    this.flightBegin = t;
    let r: unknown;
    try {
      r = (fn as (...a: unknown[]) => unknown).apply(thisArg, args as unknown[]);
    } catch (err) {
      this.requestEnd(key, t, clock.now(), err ?? new Error('undefined thrown'));
      throw new RequestError(name, err);
    }
    if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
      return (r as Promise<unknown>).then(
        (v) => {
          this.requestEnd(key, t, clock.now(), undefined);
          return v;
        },
        (err: unknown) => {
          this.requestEnd(key, t, clock.now(), err ?? new Error('undefined rejection'));
          throw new RequestError(name, err);
        },
      );
    }
    this.requestEnd(key, t, clock.now(), undefined);
    return r;
  }

  /** Whether a request of this operation failed. */
  get hasFailed(): boolean {
    return this.failed;
  }

  private requestEnd(key: number, begin: number, end: number, err: unknown): void {
    if (this.abandoned) return;
    this.flightKey = -1;
    const n = ++this.requests;
    this.lastEnd = end;
    if (err !== undefined && !this.failed) {
      this.failed = true;
      this.firstError = err;
    }
    if (n === 1) {
      this.sKey = key;
      this.sBegin = begin;
      this.sEnd = end;
      this.sErr = err;
      return;
    }
    if (n === 2) {
      this.sink.transactional = true;
      this.tx = this.sink.nextTransaction();
      // The first request carries the wait since the intended start (coordinated omission).
      this.sink.event(this.sKey, this.tx, this.step, Math.min(this.intended, this.sBegin), this.sBegin, this.sEnd, this.sErr);
    }
    this.sink.event(key, this.tx, this.step, begin, begin, end, err);
  }

  /**
   * The operation outlived the grace period at the end of the run: its request in flight is
   * recorded as timed out now, the operation is closed, and whatever it does later is ignored.
   */
  abandon(now: number, err: Error): void {
    if (!this.running || this.abandoned) return;
    if (this.flightKey >= 0) this.requestEnd(this.flightKey, this.flightBegin, now, err);
    this.finish(now);
    this.abandoned = true;
  }

  /** Close the operation: emit the staged request, or the transaction event. */
  finish(end: number): void {
    if (this.abandoned || !this.running) return;
    this.running = false;
    if (this.requests === 1 && this.failed && this.sink.transactional === true) {
      // A transaction stopped by its first request's error: one failed request and one failed
      // transaction (seen: 3,859 throttled GENERATE-DATA-KEY, yet "transactions: 623 (0 errors)").
      this.tx = this.sink.nextTransaction();
      this.sink.event(this.sKey, this.tx, this.step, Math.min(this.intended, this.sBegin), this.sBegin, this.sEnd, this.sErr);
      this.sink.event(this.sink.transactionKey(this.transactionName), this.tx, this.step, this.intended, this.begin, end, this.firstError);
    } else if (this.requests === 1) {
      this.sink.event(this.sKey, NONE, this.step, Math.min(this.intended, this.sBegin), this.sBegin, this.sEnd, this.sErr);
    } else if (this.requests > 1) {
      const key = this.sink.transactionKey(this.transactionName);
      this.sink.event(key, this.tx, this.step, this.intended, this.begin, end, this.firstError);
    }
  }
}

export { RequestError, errorText, errorType, rcOf };
