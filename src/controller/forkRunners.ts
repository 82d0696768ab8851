/**
 * The fork stage: one runner process per --process of every line, each given its spec (its line's
 * options, its index, what its line's throwaway target says: url, environment, region) and registered
 * with the stats queue. Nothing starts here: a runner loads its CUT and runs setup(), then waits for its
 * start instant (startRunners.ts).
 */
import type { RunPlan, RunnerSpec } from '../core/plan.js';
import { secretEnvNames } from '../core/redact.js';
import { loadCut } from '../cut/load.js';
import { protocolOf } from '../protocols/seam.js';
import type { StatsQueue } from '../stats/StatsQueue.js';
import { RunnerProcess } from './RunnerProcess.js';
import type { RunTargets } from './targets.js';

/** Batches a runner may have unacknowledged, and their size. */
const WINDOW = 8;
const BATCH_SIZE = 4096;

export interface ForkHooks {
  say: (s: string) => void;
  /** a batch has reached the stats queue (--abort-on-fail judges here) */
  afterBatch: () => void;
  /** a runner's state changed */
  onState: (r: RunnerProcess) => void;
  /** the runners' output lines, when not straight to stderr (the live block prints them above itself) */
  output: ((line: string) => void) | undefined;
}

/**
 * Forks every runner of the plan into `runners` (the stats queue acknowledges through it). Each runner
 * is told its line's protocol, the only one it loads (src/registry.ts): a Dummy runner loads none.
 */
export async function forkRunners(plan: RunPlan, targets: RunTargets, queue: StatsQueue, runners: RunnerProcess[], hooks: ForkHooks): Promise<void> {
  const { say } = hooks;
  // the CUTs are loaded already (the plan's checks, the preflight): this finds them in the module cache
  const protocolNames = await Promise.all(plan.lines.map(async (l) => protocolOf(await loadCut(l.cut, l.modulePath))?.name));
  const secretEnv = secretEnvNames();
  if (plan.verbosity > 0) {
    for (const l of plan.lines) {
      const o = l.options;
      say(
        `plan: ${l.line > 0 ? `line ${l.line}: ` : ''}${l.cut} (${l.modulePath}) id ${o.id}, ${o.process} runner(s) × concurrency ${o.concurrency}, ` +
          `${o.schedule !== '' ? `schedule ${o.schedule}` : o.duration > 0 ? `${o.duration} s` : `${o.loops} loops`}, lengths ${o.lengths.join(',')}\n`,
      );
    }
  }

  let slot = 0;
  // --shard I/N: the shard's runner i is the whole run's runner I + N × i of N × process, so that
  // arrival k of the schedule goes to shard k mod N (src/schedule/arrival-plan.ts deals arrivals
  // k mod count to runner index) and runner numbers are unique across shards.
  const shard = plan.shard ?? { index: 0, count: 1 };
  for (const [lineIndex, line] of plan.lines.entries()) {
    const protocol = protocolNames[lineIndex];
    for (let i = 0; i < line.options.process; i++) {
      // A target's URL, environment and region (the embedded server's runners sign with its region).
      const target = targets.forLine(line);
      const spec: RunnerSpec = {
        slot,
        index: shard.index + shard.count * i,
        count: shard.count * line.options.process,
        cut: line.cut,
        modulePath: line.modulePath,
        // The embedded server's runners sign with its region, whatever the environment says.
        options: target?.region !== undefined ? { ...line.options, region: target.region } : line.options,
        shipEvents: plan.outformat !== 'none',
        window: WINDOW,
        batchSize: BATCH_SIZE,
        endpoint: target?.endpoint ?? line.options.endpoint,
        verbosity: plan.verbosity,
        ...(protocol !== undefined ? { protocol } : {}),
        secretEnv,
      };
      queue.addRunner(slot, line.options.id, spec.index, line.cut, lineIndex, plan.shard !== undefined ? `${plan.shard.index}.${slot}:` : undefined);
      runners.push(
        new RunnerProcess(
          spec,
          {
            onBatch: (r, b) => {
              queue.onBatch(r.spec.slot, b);
              hooks.afterBatch();
              if (plan.verbosity >= 3) {
                const lag = Math.round(Date.now() - b.sentAt);
                say(
                  `trace: batch ${r.spec.options.id}.${r.spec.index} seq ${b.seq}: ${b.eventCount} events, ${b.requests} requests, lag ${lag} ms, queued ${b.queued}\n`,
                );
              }
            },
            onTick: (r, m) => queue.onTick(r.spec.slot, m.localTps, m.localCount, m.cpu),
            onState: (r) => {
              hooks.onState(r);
              if (r.state === 'failed') say(`pylogen: ${r.failure}\n`);
              else if (plan.verbosity >= 2) say(`${r.label}: ${r.state}\n`);
            },
          },
          {
            ...(target?.env !== undefined ? { env: target.env } : {}),
            ...(hooks.output !== undefined ? { output: hooks.output } : {}),
          },
        ),
      );
      slot++;
    }
  }
}
