import { describe, expect, it } from 'vitest';
import { Operation, type OperationSink } from '../src/cut/Operation.js';
import { RequestError } from '../src/cut/RequestError.js';
import type { Clock } from '../src/cut/clock.js';

/** A fake clock that advances 1 ms per read, and a sink that keeps events. */
function setup() {
  let t = 0;
  const clock: Clock = { now: () => ++t, toEpoch: (x) => x, fromEpoch: (x) => x };
  const events: { key: number; tx: number; intended: number; begin: number; end: number; err: unknown }[] = [];
  const keys = new Map<string, number>();
  let tx = 0;
  const sink: OperationSink = {
    clock,
    requestKey: (n) => keys.get(`req ${n}`) ?? (keys.set(`req ${n}`, keys.size), keys.size - 1),
    transactionKey: (n) => keys.get(`tra ${n}`) ?? (keys.set(`tra ${n}`, keys.size), keys.size - 1),
    nextTransaction: () => tx++,
    event: (key, txn, _step, intended, begin, end, err) => events.push({ key, tx: txn, intended, begin, end, err }),
  };
  return { clock, events, keys, sink, op: new Operation(sink, 'T') };
}

describe('Operation', () => {
  it('an operation with one request gives one req event with no transaction', () => {
    const { op, events } = setup();
    op.start(16, Buffer.alloc(16), 0, 0, 0);
    op.time('R0', () => 42);
    op.finish(10);
    expect(events).toEqual([{ key: 0, tx: -1, intended: 0, begin: 1, end: 2, err: undefined }]);
  });
  it('an operation with three requests is a transaction: three req events and one tra event share its number', () => {
    const { op, events, keys } = setup();
    op.start(16, Buffer.alloc(16), 0, 0, 0);
    for (const n of ['A', 'B', 'C']) op.time(n, () => undefined);
    op.finish(100);
    expect(events.map((e) => e.tx)).toEqual([0, 0, 0, 0]);
    expect(events[3]).toMatchObject({ key: keys.get('tra T'), begin: 0, end: 100 });
  });
  it('an error is recorded with the request and rethrown as a RequestError; the transaction carries the first error', () => {
    const { op, events } = setup();
    op.start(16, Buffer.alloc(16), 0, 0, 0);
    op.time('A', () => 1);
    const boom = new TypeError('boom');
    expect(() =>
      op.time('B', () => {
        throw boom;
      }),
    ).toThrow(RequestError);
    op.finish(50);
    expect(events[1]!.err).toBe(boom);
    expect(events[2]!.err).toBe(boom); // the tra event
    expect(op.hasFailed).toBe(true);
  });
  it('async requests are timed at settlement; a rejection is recorded too', async () => {
    const { op, events } = setup();
    op.start(16, Buffer.alloc(16), 0, 0, 0);
    await op.time('A', async () => 1);
    await expect(op.time('B', () => Promise.reject(new Error('no')))).rejects.toBeInstanceOf(RequestError);
    op.finish(20);
    expect(events).toHaveLength(3);
    expect((events[1]!.err as Error).message).toBe('no');
  });
  it('in the open model the first request is timed from the intended start (coordinated omission)', () => {
    const { op, events } = setup();
    op.start(16, Buffer.alloc(16), 0, -500, 0);
    op.time('A', () => 1);
    op.finish(5);
    expect(events[0]).toMatchObject({ intended: -500, begin: 1, end: 2 });
  });
});
