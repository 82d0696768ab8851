/** `pylogen capacity <cut> [run options] --start R --step R ...`: the highest rate that holds the thresholds. */
import { NOT_FOR_CAPACITY, planCapacity } from '../capacity/capacityPlan.js';
import { runCapacity } from '../capacity/runCapacity.js';
import { OPTIONS } from '../config/options.js';
import { commandLine, type Command } from './command.js';
import { forTerminal, runWithSignals } from './runPlan.js';

export const capacityCommand: Command = {
  path: ['capacity'],
  synopsis: '<cut> [run options] --start R --step R [--max R] [--refine] --threshold EXPR ... | --concurrency-steps N,N,...',
  describe: 'rate (or concurrency) steps until a threshold fails: the capacity of the target',
  // --help lists what a search accepts; the run options it refuses are taken as words to say why (capacityPlan.ts)
  options: OPTIONS.filter((d) => NOT_FOR_CAPACITY[d.name] === undefined),
  hiddenOptions: OPTIONS.filter((d) => NOT_FOR_CAPACITY[d.name] !== undefined),
  examples: [['pylogen capacity cuts.Dummy --extra \'{"sleep":0.01}\' --start 50 --step 50 --max 200 --threshold p99<50', 'steps of 50/s up to 200/s']],
  // capacityPlan.ts takes the words (it splits the capacity options from the run's)
  run: async (a) => {
    const given = await planCapacity(a.words, a.cwd);
    given.plan.command = commandLine(capacityCommand, a);
    const cp = { ...given, plan: forTerminal(given.plan), probe: async (rates: number[]) => forTerminal(await given.probe(rates)) };
    return runWithSignals((signals) => runCapacity(cp, signals));
  },
};
