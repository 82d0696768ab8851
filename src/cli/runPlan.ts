/**
 * Runs a validated plan from the command line: SIGINT / SIGTERM stop it gracefully (everything
 * received is written, the summary printed, exit 130); a second SIGINT forces the runners down.
 */
import { run } from '../controller/run.js';
import type { RunPlan } from '../core/plan.js';
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
  const p = forTerminal(plan);
  return runWithSignals((signals) => run(p, signals));
}

let told = false;

/**
 * The event stream never floods a terminal: with stdout a terminal and no --out, no event stream is
 * written (a short no-op run writes hundreds of MB), and stderr says once how to get one.
 * Redirected or piped (`pylogen ... > run.csv`), stdout is the stream as always.
 */
export function forTerminal(plan: RunPlan, isTerminal = process.stdout.isTTY === true): RunPlan {
  if (!isTerminal || plan.out !== '' || plan.outformat === 'none') return plan;
  if (!told) {
    told = true;
    process.stderr.write(`events: not written to the terminal; for the per-event ${plan.outformat} stream give --out FILE, or redirect stdout (> run.${plan.outformat === 'jsonl' ? 'jsonl' : 'csv'})\n`);
  }
  return { ...plan, outformat: 'none' };
}
