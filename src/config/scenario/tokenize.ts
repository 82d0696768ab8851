/**
 * Splits scenario lines into argv words with the quoting of a POSIX shell, and nothing else of it:
 * no expansion of $VAR, globs or `commands`, and no shell is ever run (a scenario line is data).
 *  - blanks (space, tab) separate words;
 *  - '…' is literal up to the next single quote;
 *  - "…" is literal except that a backslash escapes \" \\ \$ and \` (before anything else the
 *    backslash stays, as in sh: "a\nb" is the 4 characters a \ n b);
 *  - outside quotes a backslash escapes the next character (a trailing one stays literal);
 *  - adjacent quoted and unquoted parts make one word: --extra='{"a": 1}' is one word, '' an empty one;
 *  - a # that begins a word starts a comment to the end of the line; elsewhere it is literal.
 */

/** A quoting error. `line` is set by splitScenario; the caller prefixes `FILE:LINE: `. */
export class TokenizeError extends Error {
  override name = 'TokenizeError';
  constructor(
    message: string,
    /** 1-based column of the opening quote. */
    readonly column: number,
    /** 1-based line, when the error comes from splitScenario. */
    readonly line?: number,
  ) {
    super(message);
  }
}

const BLANK = /[ \t\r\n\v\f]/;
/** What a backslash may escape inside double quotes (sh, minus the line continuation). */
const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`']);

/** The words of one line; a comment or a blank line gives none. */
export function tokenizeLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false; // distinguishes "no word yet" from an empty word such as ''
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (BLANK.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new TokenizeError('unterminated single quote', i + 1);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const open = i++;
      for (;;) {
        if (i >= line.length) throw new TokenizeError('unterminated double quote', open + 1);
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && DOUBLE_QUOTE_ESCAPES.has(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      word += i + 1 < line.length ? line[i + 1] : '\\';
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** A command line of a scenario file, or the quoting problem that keeps it from being one. */
export type ScenarioLine = { line: number; words: string[] } | { line: number; error: TokenizeError };

/**
 * Every command line of a scenario file, each with its 1-based line number, a line that cannot be
 * split carrying its error (so that every bad line is reported at once); blank and comment-only lines
 * (indented or not) are skipped. LF and CRLF line ends, and a leading BOM, are accepted.
 */
export function scenarioLines(text: string): ScenarioLine[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const commands: ScenarioLine[] = [];
  lines.forEach((content, index) => {
    try {
      const words = tokenizeLine(content);
      if (words.length > 0) commands.push({ line: index + 1, words });
    } catch (err) {
      if (!(err instanceof TokenizeError)) throw err;
      commands.push({ line: index + 1, error: new TokenizeError(err.message, err.column, index + 1) });
    }
  });
  return commands;
}

/** The command lines of a scenario file; throws the first line's TokenizeError on a quoting error. */
export function splitScenario(text: string): { line: number; words: string[] }[] {
  return scenarioLines(text).map((l) => {
    if ('error' in l) throw l.error;
    return l;
  });
}
