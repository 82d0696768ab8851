/** `pylogen list`: the CUTs found (./cuts, then the package's), each with its one-line description. */
import { relative } from 'node:path';
import { listCuts, oneLine, readSource } from '../cut/catalog.js';
import { ExitCode } from '../core/exitcodes.js';
import type { Command } from './command.js';

export const listCommand: Command = {
  path: ['list'],
  synopsis: '',
  describe: "the CUTs found (./cuts, then pylogen's own), one line each",
  options: [],
  run: async (a) => {
    const cuts = listCuts(a.cwd);
    const width = Math.max(...cuts.map((c) => c.name.length));
    const lines = cuts.map((c) => `${c.name.padEnd(width)}  ${oneLine(readSource(c.path))}${c.shipped ? '' : `  (${relative(a.cwd, c.path)})`}`);
    // one write; a reader that closes early (| head) is not an error
    process.stdout.on('error', () => {});
    process.stdout.write(`${lines.join('\n')}\n\npylogen <CUT> --help: a CUT's requests and its --extra keys\n`);
    return ExitCode.ok;
  },
};
