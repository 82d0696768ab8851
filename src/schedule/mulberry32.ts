/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit-state PRNG, fast and good enough for arrival
 * jitter and burst sizes. It is seeded explicitly so that every runner of a line, seeded alike,
 * draws the very same global sequence of arrivals and keeps only its own share of it.
 * Returns a function giving numbers in [0, 1), with 2^-32 resolution.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
