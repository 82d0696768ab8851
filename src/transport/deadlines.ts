/**
 * The exchanges in flight of one pool, oldest first, and one timer for the oldest one's deadline.
 * Every exchange of a pool has the same timeout, so their deadlines come in the order they started: a
 * linked list (O(1) to add and to remove, nothing allocated) and one timer stand for a timer per
 * request (a Timeout object, its async resource and its list entry, made and cleared thousands of
 * times a second). The bound is as exact as with a timer per request: the timer fires at the oldest
 * deadline, every exchange past its deadline then ends, and the timer is armed again for the new
 * oldest one. Used by both transports of http.ts (test/http-deadlines.test.ts).
 */

/** An exchange as InFlight keeps it: its deadline (performance.now()), its neighbours, and how it ends past it. */
export interface Deadlined<E> {
  deadline: number;
  prev: E | undefined;
  next: E | undefined;
  /** Ends the exchange as a TimeoutError; it must remove itself (InFlight.remove). */
  timeout(): void;
}

export class InFlight<E extends Deadlined<E>> {
  private first: E | undefined;
  private last: E | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(e: E): void {
    e.deadline = performance.now() + this.timeoutMs;
    e.prev = this.last;
    if (this.last === undefined) this.first = e;
    else this.last.next = e;
    this.last = e;
    if (this.timer === undefined) this.arm(e.deadline);
  }

  remove(e: E): void {
    if (e.prev === undefined) {
      if (this.first !== e) return; // not in the list (any more)
      this.first = e.next;
    } else e.prev.next = e.next;
    if (e.next === undefined) this.last = e.prev;
    else e.next.prev = e.prev;
    e.prev = e.next = undefined;
    // Nothing in flight: no timer keeps the process alive. Else it stays armed for an earlier
    // deadline, and is armed again for the oldest one left when it fires.
    if (this.first === undefined) this.close();
  }

  /** Every exchange in flight, oldest first (a copy: ending one removes it). */
  all(): E[] {
    const out: E[] = [];
    for (let e = this.first; e !== undefined; e = e.next) out.push(e);
    return out;
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(deadline - performance.now())));
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    // A timer may fire early by a rounding of its milliseconds: what is due within half of one is due.
    while (this.first !== undefined && this.first.deadline <= now + 0.5) this.first.timeout();
    if (this.first !== undefined) this.arm(this.first.deadline);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
