/**
 * Bad usage or input, found before anything starts. The message is the one line the user sees on
 * stderr: it names the flag, the file:line or the key, and the bad value.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Ctrl-C (SIGINT / SIGTERM) before anything ran, while a throwaway target was starting: what was
 * started is stopped, and the command ends with exit 130 (cli/runPlan.ts), not as a failure.
 */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/** Collects every problem of a validation pass so the user sees all of them at once (k6 Validate()). */
export class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
  /** Throws one UsageError whose message joins the problems with '; ' (still one line). */
  throwIfAny(prefix = ''): void {
    if (this.list.length > 0) throw new UsageError(prefix + this.list.join('; '));
  }
}

/** A one-line, secret-free description of anything thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.replace(/\s*\n\s*/g, ' ');
  return String(err).replace(/\s*\n\s*/g, ' ');
}
