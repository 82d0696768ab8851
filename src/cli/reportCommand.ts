/** `pylogen report SUMMARY.json --report FILE.html`: the HTML report of a saved summary, as the run's own. */
import { resolve } from 'node:path';
import { Problems, UsageError } from '../core/errors.js';
import { checkWritable } from '../config/buildPlan.js';
import { ExitCode } from '../core/exitcodes.js';
import { readSummary } from '../report/readSummary.js';
import { writeReport } from '../report/writeReport.js';
import type { Command } from './command.js';

export const reportCommand: Command = {
  path: ['report'],
  synopsis: 'SUMMARY.json --report FILE.html',
  describe: "the HTML report of a saved summary (--summary-json), the same as the run's --report",
  details:
    'Reads a summary written by --summary-json (of a run, a scenario or a capacity search) and writes the self-contained HTML report that --report writes at the end of a run.',
  options: [{ name: 'report', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: 'the HTML file to write' }],
  examples: [['pylogen report run.json --report again.html', 'the report of run.json']],
  run: async (a) => {
    if (a.positionals.length !== 1) {
      throw new UsageError(
        `report takes one summary file${a.positionals.length > 1 ? `, but got ${a.positionals.join(' ')}` : ''}: pylogen report SUMMARY.json --report FILE.html`,
      );
    }
    const out = a.values.report;
    if (out === undefined || out.trim() === '') throw new UsageError('report needs --report FILE.html: the file to write');
    const input = a.positionals[0]!;
    if (resolve(a.cwd, out) === resolve(a.cwd, input)) throw new UsageError(`--report "${out}" is the summary file itself: give the report its own file`);
    const problems = new Problems();
    checkWritable(out, '--report', a.cwd, problems);
    problems.throwIfAny();
    const summary = readSummary(resolve(a.cwd, input), input);
    writeReport(resolve(a.cwd, out), summary);
    process.stderr.write(`pylogen report: ${out} written from ${input}\n`);
    return ExitCode.ok;
  },
};
