/** Words for people: "1 error", "2 errors"; shares that never round a part to the whole. */

/** `n word` with the word's plural (word + s, or the given plural) unless n is 1. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * part / whole as a percentage with as few decimals as tell the truth: 5,045 of 5,067 is "99.6%",
 * never "100%" (only the whole is 100%), and 1 of 100,000 is "0.001%", never "0%".
 */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '-';
  const x = (part / whole) * 100;
  for (let d = 0; d <= 4; d++) {
    const t = x.toFixed(d);
    const v = Number(t);
    if ((v >= 100 && part < whole) || (v <= 0 && part > 0)) continue;
    return `${t}%`;
  }
  return part < whole ? '>99.999%' : '<0.001%';
}
