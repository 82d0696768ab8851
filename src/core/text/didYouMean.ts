/**
 * "did you mean": the known name closest to what was typed, for an unknown option, CUT or file.
 * Case differences count for nothing (`dummy` -> `Dummy`); otherwise the Damerau-Levenshtein
 * distance (a swap of two letters is one edit), at most a third of the word's length.
 */

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `given`, or undefined when none is close enough. */
export function closest(given: string, candidates: Iterable<string>): string | undefined {
  const g = given.toLowerCase();
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(given.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(g, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** ` (did you mean X?)`, or '' when nothing is close. */
export function didYouMean(given: string, candidates: Iterable<string>, show: (c: string) => string = (c) => c): string {
  const c = closest(given, candidates);
  return c === undefined ? '' : ` (did you mean ${show(c)}?)`;
}
