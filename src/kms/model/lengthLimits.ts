/**
 * The check of --lengths against what one KMS operation takes, before anything starts. One problem
 * names every length out of range: `--lengths: Encrypt with key "symmetric1" takes at most 4096
 * bytes, but a length is 5000`.
 */
export function lengthProblem(lengths: readonly number[], min: number, max: number, what: string): string | undefined {
  const bad = [...new Set(lengths.filter((l) => l < min || l > max))];
  if (bad.length === 0) return undefined;
  const range = bad.every((l) => l > max)
    ? `at most ${max} bytes`
    : bad.every((l) => l < min)
      ? `at least ${min} byte${min === 1 ? '' : 's'}`
      : `${min} to ${max} bytes`;
  const which = bad.length === 1 ? `a length is ${bad[0]}` : `lengths ${bad.join(', ')} are`;
  return `--lengths: ${what} takes ${range}, but ${which}`;
}
