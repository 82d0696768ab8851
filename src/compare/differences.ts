/**
 * What differs between the runs besides their results, shown above the table so that a user sees
 * at once whether the comparison is fair: the pylogen versions, the machines (cores, CPU model,
 * load during the run), the endpoints and the other options of each line, the lines only some run
 * has. Read from the summaries' `pylogen`, `machine` and `plan` (absent in older summaries: said so).
 */
import type { RunInput } from './compareRuns.js';

export interface Difference {
  /** what: "pylogen", "cores", "CPU", "load", "line run: endpoint", ... */
  what: string;
  /** one per run, the base first ('-': not recorded / the run lacks it) */
  values: string[];
  /** all the same */
  same: boolean;
}

/** Options shown on their own or not about the load (the id is the line's key). */
const SKIPPED = new Set(['id', 'thresholds', 'summaryJson', 'report', 'outformat', 'output', 'quiet', 'progress', 'verbose']);

/** A value as text, any URL's userinfo masked (an endpoint may carry credentials: never shown). */
const shown = (v: unknown) => (v === undefined ? '-' : typeof v === 'string' ? (v === '' ? "''" : v) : JSON.stringify(v)).replace(/(\/\/)[^/@\s]+@/g, '$1***@');

/** '-': not recorded (an older or merged summary): neither the same nor different. */
function entry(what: string, values: string[]): Difference {
  const known = values.filter((v) => v !== '-');
  return { what, values, same: known.every((v) => v === known[0]) };
}

/** Every fact compared, same or not; `formatDifferences` shows the ones that differ. */
export function differences(runs: readonly RunInput[], acrossCuts = false): Difference[] {
  const out: Difference[] = [];
  const m = runs.map((r) => r.summary.machine);
  out.push(
    entry(
      'pylogen',
      runs.map((r) => r.summary.pylogen?.version ?? '-'),
    ),
  );
  out.push(
    entry(
      'cores',
      m.map((x) => (x === undefined ? '-' : String(x.cores))),
    ),
  );
  out.push(
    entry(
      'CPU',
      m.map((x) => (x === undefined ? '-' : x.cpuModel || 'unknown')),
    ),
  );
  out.push(
    entry(
      'node',
      m.map((x) => x?.node ?? '-'),
    ),
  );
  // the 1-minute load average at the start and the end of the run: the load during it (a run of a
  // few seconds moves it little, hence both). Loads per core that differ by less than half are the same.
  const load = m.map((x) => (x === undefined ? '-' : `${x.loadAverage.start[0]} -> ${x.loadAverage.end[0]}`));
  const perCore = m.map((x) => (x === undefined ? undefined : 0.25 + Math.max(x.loadAverage.start[0] ?? 0, x.loadAverage.end[0] ?? 0) / Math.max(1, x.cores)));
  const known = perCore.filter((x) => x !== undefined);
  const same = known.length === perCore.length ? Math.max(...known) <= 1.5 * Math.min(...known) : perCore.every((x) => x === undefined);
  out.push({ what: 'load (1 min, start -> end)', values: load, same });
  out.push(
    entry(
      'shards',
      runs.map((r) => (r.summary.shards !== undefined ? `${r.summary.shards.length} merged` : 'one run')),
    ),
  );
  const lines = runs.map((r) => new Map((r.summary.plan?.lines ?? []).map((l) => [acrossCuts ? l.id : `${l.id} ${l.cut}`, l])));
  const keys = [...new Set(lines.flatMap((x) => [...x.keys()]))];
  for (const key of keys) {
    const ls = lines.map((x) => x.get(key));
    out.push(
      entry(
        `line ${key}`,
        ls.map((l) => (l === undefined ? 'absent' : acrossCuts ? l.cut : 'present')),
      ),
    );
    // a line some run lacks: its presence says it all, its options are not listed one by one
    if (!acrossCuts && ls.some((l) => l === undefined)) continue;
    const names = [...new Set(ls.flatMap((l) => (l === undefined ? [] : Object.keys(l.options))))].filter((k) => !SKIPPED.has(k));
    for (const k of names.sort((a, b) => (a === 'endpoint' ? -1 : b === 'endpoint' ? 1 : 0))) {
      const vs = ls.map((l) => (l === undefined ? 'absent' : shown((l.options as Record<string, unknown>)[k])));
      if (ls.some((l) => l === undefined)) continue;
      out.push(
        entry(
          `line ${key}: ${k === 'endpoint' ? 'endpoint' : `--${k}`}`,
          vs.map((v) => (k === 'endpoint' && v === "''" ? "SDK's" : v)),
        ),
      );
    }
  }
  if (runs.some((r) => r.summary.plan === undefined))
    out.push(
      entry(
        'plan',
        runs.map((r) => (r.summary.plan === undefined ? 'not recorded' : 'recorded')),
      ),
    );
  return out;
}

/** Load averages per core above this: the runs competed for the CPU, and the share each got can differ between runs. */
export const OVERLOADED_PER_CORE = 2;

/**
 * A warning for each run whose machine was overloaded: the bootstrap measures the noise inside each
 * run, not how much CPU another run of the same command would have got on a machine that busy.
 */
export function overloadWarnings(runs: readonly RunInput[], names: readonly string[]): string[] {
  return runs.flatMap((r, i) => {
    const m = r.summary.machine;
    if (m === undefined) return [];
    const load = Math.max(m.loadAverage.start[0] ?? 0, m.loadAverage.end[0] ?? 0);
    return load / Math.max(1, m.cores) > OVERLOADED_PER_CORE
      ? [
          `${names[i]} ran on an overloaded machine (load average ${load} on ${m.cores} cores): two runs there can get different shares of the CPU, a difference the intervals of each run do not show; rerun both on a quieter machine before trusting a verdict`,
        ]
      : [];
  });
}
