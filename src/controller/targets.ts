/**
 * The throwaway targets of a run (`--endpoint local|softhsm|pykmip|...`): every kind that a line of
 * the plan names, from the installed protocols (src/protocols/seam.ts), started one after the other before
 * anything is forked, each once for all the lines that name it. They sit on one stack: a start that
 * fails closes those already started (last first), and so does the end of the run, whatever ended it.
 */
import { Interrupted, describeError } from '../core/errors.js';
import type { CutLine, RunPlan } from '../core/plan.js';
import type { StartedTarget, TargetForLine } from '../protocols/Protocol.js';
import { targetKinds } from '../protocols/seam.js';

export interface RunTargets {
  /** what the runners of a line get from the target it names, or undefined when it names none */
  forLine(line: CutLine): (TargetForLine & { target: string }) | undefined;
  /** a warning for each target that died during the run */
  deaths(): string[];
  /** closes every started target, last first; a failing close is said, and does not stop the others */
  close(say?: (s: string) => void): Promise<void>;
}

export async function startTargets(plan: RunPlan, say: (s: string) => void, cwd: string = process.cwd(), signal?: AbortSignal): Promise<RunTargets> {
  const stack: { name: string; what: string; target: StartedTarget }[] = [];
  /** every target started, kept after close() for deaths() */
  const started: typeof stack = [];
  const byName = new Map<string, StartedTarget>();
  const close = async (report: (s: string) => void = say): Promise<void> => {
    while (stack.length > 0) {
      const { target } = stack.pop()!;
      try {
        await target.close();
      } catch (err) {
        report(`pylogen: while ending the run: ${describeError(err)}\n`);
      }
    }
  };
  try {
    for (const { kind } of targetKinds()) {
      const lines = plan.lines.filter((l) => l.options.endpoint === kind.name);
      if (lines.length === 0) continue;
      const log = plan.verbosity >= 2 ? (line: string) => say(`${kind.name}: ${line}\n`) : () => undefined;
      const target = await kind.start(lines, { plan, cwd, log, ...(signal !== undefined ? { signal } : {}) });
      stack.push({ name: kind.name, what: kind.describe, target });
      started.push(stack[stack.length - 1]!);
      byName.set(kind.name, target);
      // Ctrl-C while it started: nothing has run, nothing runs.
      if (signal?.aborted === true) throw new Interrupted(`while starting ${kind.describe}: it is stopped, nothing ran`);
      if (plan.verbosity > 0) say(`${target.describe}\n`);
    }
  } catch (err) {
    await close(() => undefined);
    throw err;
  }
  return {
    forLine: (line) => {
      const target = byName.get(line.options.endpoint);
      return target === undefined ? undefined : { ...target.forLine(line), target: line.options.endpoint };
    },
    deaths: () =>
      started.flatMap(({ name, what, target }) => {
        const death = target.died();
        return death === undefined
          ? []
          : [`${what} (--endpoint ${name}) exited ${death} during the run: the errors after that are its absence, not the server's`];
      }),
    close,
  };
}
