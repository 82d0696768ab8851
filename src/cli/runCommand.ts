/** `pylogen <cut> [options]`: one CUT, every option of the table. The default command. */
import { RUN_OPTIONS, planFromArgs } from '../config/buildPlan.js';
import { commandLine, type Command } from './command.js';
import { runPlan } from './runPlan.js';

export const runCommand: Command = {
  path: [],
  synopsis: '<cut> [options]',
  describe: 'run one CUT: cuts.Dummy, Dummy, or a CUT of ./cuts (MyCut)',
  details: 'Long options may be abbreviated to any unambiguous prefix (--proc, --le, --pauselo, --ram, --def).',
  options: RUN_OPTIONS,
  examples: [
    ['pylogen cuts.Dummy --proc 2 --duration 10 > run.csv', 'two runners for 10 s, CSV events into run.csv'],
    ['pylogen cuts.Dummy --le 384 --pauselen 0 --pauselo 0.001 --duration 10 --ram 0 --proc 2', "PYLOGEN's example"],
    ['pylogen cuts.Dummy --loops 5 --extra \'{"transaction":true}\' --out run.csv --summary-json run.json', 'transactions, files'],
    ['pylogen scenario --file scenarios/Scenario.txt', 'a scenario file'],
  ],
  run: async (a) => runPlan({ ...(await planFromArgs({ ...a }, a.cwd)), command: commandLine(runCommand, a) }),
};
