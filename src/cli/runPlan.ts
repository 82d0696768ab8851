/**
 * Runs a validated plan from the command line: SIGINT / SIGTERM stop it gracefully (everything
 * received is written, the summary printed, exit 130); a second SIGINT forces the runners down.
 */
import { run } from '../controller/run.js';
import type { RunPlan } from '../plan.js';
import { takeSignals } from './signals.js';

export interface StopSignals {
  signal: AbortSignal;
  forceSignal: AbortSignal;
}

/** Runs `start` with the signals wired to its stop signals; its exit code. */
export async function runWithSignals(start: (signals: StopSignals) => Promise<{ exitCode: number }>): Promise<number> {
  const graceful = new AbortController();
  const force = new AbortController();
  const onSignal = (): void => {
    if (!graceful.signal.aborted) graceful.abort();
    else force.abort();
  };
  takeSignals();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await start({ signal: graceful.signal, forceSignal: force.signal });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function runPlan(plan: RunPlan): Promise<number> {
  return runWithSignals((signals) => run(plan, signals));
}
