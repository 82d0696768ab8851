/**
 * Runs a validated plan from the command line: SIGINT / SIGTERM stop it gracefully (everything
 * received is written, the summary printed, exit 130); a second SIGINT forces the runners down.
 */
import { run } from '../controller/run.js';
import type { RunPlan } from '../core/plan.js';
import { takeSignals } from '../command/signals.js';
import { ExitCode } from '../core/exitcodes.js';
import { Interrupted } from '../core/errors.js';

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
  let code: number;
  try {
    code = (await start({ signal: graceful.signal, forceSignal: force.signal })).exitCode;
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    process.stderr.write(`pylogen: interrupted ${err.message}\n`);
    code = ExitCode.interrupted;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const final = graceful.signal.aborted ? ExitCode.interrupted : code;
  // A signal after the run, while the process exits, must not kill it with 143: it is ignored, the
  // run's own code (130 for an interrupted run) is the exit code. Node's own teardown after the
  // 'exit' event puts the default action back for a few ms: the exit is made there, at once (the
  // event loop is empty by then: everything was written).
  if (!lateSignals) {
    lateSignals = true;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    process.once('exit', (c) => (process as unknown as { reallyExit(code: number): never }).reallyExit(c));
  }
  // A reader that stopped reading was given up (src/output/EventOutput.ts abandon()): what it did
  // not take stays in process.stdout, which cannot be closed and would hold the exit until the
  // reader reads. The summary is out on stderr: exit now.
  if (process.stdout.writableLength > 0 && process.stdout.isTTY !== true) process.exit(final);
  return code;
}

let lateSignals = false;
const ignore = (): void => {};

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
    process.stderr.write(
      `events: not written to the terminal; for the per-event ${plan.outformat} stream give --out FILE, or redirect stdout (> run.${plan.outformat === 'jsonl' ? 'jsonl' : 'csv'})\n`,
    );
  }
  return { ...plan, outformat: 'none' };
}
