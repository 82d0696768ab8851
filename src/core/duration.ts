/**
 * Durations as k6 and Artillery users type them: `10s`, `500ms`, `2m`, `1h`, `1m30s` (Go's
 * time.ParseDuration units that make sense for a load test), and a plain number, which stays seconds
 * (PYLOGEN's options). Used by every option in seconds (src/config/options.ts) and by the durations of
 * `--schedule` segments (src/schedule/schedule.ts).
 */
const UNIT_S: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const PLAIN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const WITH_UNITS = /^(?:(?:\d+\.?\d*|\.\d+)(?:ms|s|m|h))+$/;
const PART = /(\d+\.?\d*|\.\d+)(ms|s|m|h)/g;

/** What a duration's help says it may be. */
export const DURATION_FORMS = 'a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s';

/** The seconds a duration text stands for, or undefined when it is not one (a bad unit: `10x`, `5 min`). */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (PLAIN.test(t)) return Number(t);
  if (!WITH_UNITS.test(t)) return undefined;
  let s = 0;
  for (const m of t.matchAll(PART)) s += Number(m[1]) * UNIT_S[m[2]!]!;
  return s;
}
