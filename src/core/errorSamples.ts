/**
 * Error samples: per error type, the first message and a few other distinct ones, kept by the
 * runners, the stats queue, the summary and `pylogen merge` alike, all bounded the same way.
 */

/** Distinct messages kept per error type (the first one first). */
export const ERROR_SAMPLES = 3;
/** Error types that get samples at most (errorsByType itself is bounded elsewhere). */
export const ERROR_SAMPLE_TYPES = 50;

export type ErrorSamples = Record<string, string[]>;

/** Adds `from`'s samples into `into`, keeping each type's first ones and at most ERROR_SAMPLES distinct. */
export function addSamples(into: ErrorSamples, from: Readonly<ErrorSamples> | undefined): void {
  if (from === undefined) return;
  for (const [type, texts] of Object.entries(from)) {
    let kept = into[type];
    if (kept === undefined) {
      if (Object.keys(into).length >= ERROR_SAMPLE_TYPES) continue;
      kept = into[type] = [];
    }
    for (const t of texts) if (kept.length < ERROR_SAMPLES && !kept.includes(t)) kept.push(t);
  }
}
