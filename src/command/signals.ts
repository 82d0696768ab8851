/**
 * SIGINT / SIGTERM around a command. Before a command takes them (while the plan is validated, or
 * runners load) there is nothing to stop or write yet: exit 130 at once.
 */
import { ExitCode } from '../core/exitcodes.js';

let taken = false;
const early = (): void => {
  if (!taken) process.exit(ExitCode.interrupted);
};

/** Installed by main.ts first thing. */
export function exitOnEarlySignals(): void {
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
}

/** From here on, the command handles SIGINT / SIGTERM itself. */
export function takeSignals(): void {
  taken = true;
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
}

/** Resolves with the first SIGINT or SIGTERM (the `serve` commands: when their server must stop). */
export function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
