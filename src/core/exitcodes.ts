/** Exit codes of the README ("Exit codes"), set once in the CLI's top-level catch (k6 errext/exitcodes). */
export const ExitCode = {
  /** The run completed; request errors alone do not fail it. */
  ok: 0,
  /** A runner failed, events were lost, or a threshold failed. */
  runFailed: 1,
  /** Bad usage or input: nothing was started. */
  usage: 2,
  /** Interrupted by SIGINT/SIGTERM: runners stopped, everything received written. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
