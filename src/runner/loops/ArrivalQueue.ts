/**
 * The open model's waiting room: arrivals that are due while --max-inflight operations are in
 * flight wait here, first in first out, up to a bound (--queue). A ring of two typed arrays (the
 * intended instant and the arrival's number), grown by doubling up to the bound, so a large bound
 * costs memory only when it is used and the hot path allocates nothing.
 */
export class ArrivalQueue {
  #at: Float64Array;
  #num: Float64Array;
  #head = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    const initial = Math.min(capacity, 64);
    this.#at = new Float64Array(initial);
    this.#num = new Float64Array(initial);
  }

  get length(): number {
    return this.#size;
  }

  get full(): boolean {
    return this.#size >= this.capacity;
  }

  /** Adds an arrival at the tail; the caller checks `full` first. */
  push(at: number, num: number): void {
    if (this.#size === this.#at.length) this.#grow();
    const i = (this.#head + this.#size) % this.#at.length;
    this.#at[i] = at;
    this.#num[i] = num;
    this.#size++;
  }

  /** The intended instant of the oldest arrival (the queue must not be empty). */
  peekAt(): number {
    return this.#at[this.#head]!;
  }

  /** The number of the oldest arrival, which leaves the queue (the queue must not be empty). */
  shift(): number {
    const num = this.#num[this.#head]!;
    this.#head = (this.#head + 1) % this.#at.length;
    this.#size--;
    return num;
  }

  /** Empties the queue; returns how many arrivals it held. */
  clear(): number {
    const n = this.#size;
    this.#head = 0;
    this.#size = 0;
    return n;
  }

  #grow(): void {
    const size = Math.min(this.capacity, Math.max(1, this.#at.length * 2));
    const at = new Float64Array(size);
    const num = new Float64Array(size);
    for (let j = 0; j < this.#size; j++) {
      const i = (this.#head + j) % this.#at.length;
      at[j] = this.#at[i]!;
      num[j] = this.#num[i]!;
    }
    this.#at = at;
    this.#num = num;
    this.#head = 0;
  }
}
