/** `pylogen scenario --file FILE [run options]`: every line of a scenario file at once. */
import { SCENARIO_OPTIONS, planFromScenarioArgs } from '../config/buildPlan.js';
import { commandLine, type Command } from './command.js';
import { runPlan } from './runPlan.js';

export const scenarioCommand: Command = {
  path: ['scenario'],
  synopsis: '--file FILE [options]',
  describe: 'run every line of a scenario file at the same time',
  details:
    'One CUT invocation per line, written like the command line after `pylogen`; blank lines and # comments are skipped. ' +
    "The file is looked up as given, then in ./scenarios, then in pylogen's own scenarios/.",
  options: SCENARIO_OPTIONS,
  examples: [['pylogen scenario --file scenarios/Scenario.txt', 'the shipped scenario']],
  run: async (a) => runPlan({ ...(await planFromScenarioArgs(a, a.cwd)), command: commandLine(scenarioCommand, a) }),
};
