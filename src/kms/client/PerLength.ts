/**
 * Data a CUT prepares once per payload length, before t0 (ciphertexts to decrypt, signatures to
 * verify), so that an operation only looks it up. Filled in setup() for every --lengths value; a
 * length that was not (a subclass calling get() with a length of its own) is made on first use.
 */
export class PerLength<T> {
  private readonly ready = new Map<number, T>();
  private readonly pending = new Map<number, Promise<T>>();

  constructor(private readonly make: (length: number) => Promise<T>) {}

  /** Makes the data of every length, all at once. */
  async fill(lengths: Iterable<number>): Promise<this> {
    await Promise.all([...new Set(lengths)].map(async (l) => this.ready.set(l, await this.make(l))));
    return this;
  }

  get(length: number): T | Promise<T> {
    const v = this.ready.get(length);
    if (v !== undefined) return v;
    let p = this.pending.get(length);
    if (p === undefined) {
      p = this.make(length).then((made) => {
        this.ready.set(length, made);
        this.pending.delete(length);
        return made;
      });
      this.pending.set(length, p);
    }
    return p;
  }
}
