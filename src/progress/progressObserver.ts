/**
 * The run's progress on stderr: on a terminal one block redrawn in place (LiveTerminal), piped a status
 * line every --summary seconds, with --quiet neither (docs/reference.md "What a run prints").
 */
import type { StatsQueue, Tick } from '../stats/StatsQueue.js';
import type { RunBegin, RunObserver } from '../stats/runObserver.js';
import type { LiveTerminal } from './LiveTerminal.js';
import { ProgressTracker } from './ProgressTracker.js';
import { intervalP99 } from './intervalP99.js';
import { renderProgress } from './renderProgress.js';

export function statusLine(t: Tick, planned: number): string {
  const f = (x: number) => x.toFixed(1);
  return (
    `[${t.elapsedS.toFixed(1).padStart(7)}s] requests ${t.globalCount} ok ${f(t.globalTps)}/s local Σ ${f(t.localTpsSum)}/s ` +
    `runners ${t.activeRunners}/${planned} errors ${t.errors} (${f(t.errorTps)}/s) queue ${t.queueLength} lag ${Math.round(t.lagMs)} ms`
  );
}

/** live: the terminal's block (undefined: not a terminal, or --quiet); quiet: no status lines either. */
export function progressObserver(live: LiveTerminal | undefined, quiet: boolean): RunObserver {
  let run: RunBegin;
  let queue: StatsQueue;
  let progress: ProgressTracker | undefined;
  let lastTick: Tick | undefined;
  return {
    begin(r) {
      run = r;
      queue = r.queue;
      if (live === undefined) return;
      progress = new ProgressTracker(r.plan, r.queue, intervalP99(r.queue));
      const cuts = [...new Set(r.plan.lines.map((l) => l.cut))].join(', ');
      live.update([`pylogen: starting ${r.runners} runner${r.runners === 1 ? '' : 's'} (${cuts}: load, setup)`]);
    },
    tick(t) {
      lastTick = t;
      if (live !== undefined) live.update(renderProgress(progress!.frame(t), live.width));
      else if (!quiet) run.say(statusLine(t, run.runners) + '\n');
    },
    stopped(at, t0, ends) {
      if (live !== undefined && lastTick !== undefined) {
        // The block's last state: every count final, no runner active.
        const final = {
          ...lastTick,
          at,
          elapsedS: (at - t0) / 1000,
          globalCount: queue.requests,
          errors: queue.requestErrors,
          activeRunners: 0,
          queueLength: queue.queueLength,
        };
        live.update(renderProgress(progress!.frame(final, true, ends), live.width));
      }
      live?.close();
    },
  };
}
