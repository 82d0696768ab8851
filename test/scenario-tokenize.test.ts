import { describe, expect, it } from 'vitest';
import { splitScenario, tokenizeLine, TokenizeError } from '../src/config/scenario/tokenize.js';

function tokenizeError(fn: () => unknown): TokenizeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TokenizeError);
    return err as TokenizeError;
  }
  throw new Error('expected a TokenizeError');
}

describe('tokenizeLine', () => {
  it('splits on spaces and tabs, collapsing runs of them', () => {
    expect(tokenizeLine('cuts.Dummy --process 2   --loops\t3 \t ')).toEqual(['cuts.Dummy', '--process', '2', '--loops', '3']);
    expect(tokenizeLine('')).toEqual([]);
    expect(tokenizeLine(' \t ')).toEqual([]);
  });

  it('keeps JSON with spaces in one word', () => {
    expect(tokenizeLine(`Dummy --extra '{"sleep": 0}'`)).toEqual(['Dummy', '--extra', '{"sleep": 0}']);
    expect(tokenizeLine(`Dummy --extra "{\\"sleep\\": 0.5}"`)).toEqual(['Dummy', '--extra', '{"sleep": 0.5}']);
  });

  it('joins adjacent quoted and unquoted parts into one word', () => {
    expect(tokenizeLine(`--extra='{"a": 1}'`)).toEqual(['--extra={"a": 1}']);
    expect(tokenizeLine(`a'b c'"d e"f`)).toEqual(['ab cd ef']);
  });

  it('treats single quotes literally, backslashes included', () => {
    expect(tokenizeLine(`'a\\b' '\\'`)).toEqual(['a\\b', '\\']);
    expect(tokenizeLine(`'$HOME "x"'`)).toEqual(['$HOME "x"']);
  });

  it('escapes only \\" \\\\ \\$ and \\` inside double quotes, and expands nothing', () => {
    expect(tokenizeLine(`"a\\"b" "c\\\\d" "\\$HOME" "\\\`x\\\`"`)).toEqual(['a"b', 'c\\d', '$HOME', '`x`']);
    expect(tokenizeLine(`"a\\nb" "$HOME" "it's"`)).toEqual(['a\\nb', '$HOME', "it's"]);
  });

  it('escapes any character with a backslash outside quotes; a trailing one is literal', () => {
    expect(tokenizeLine(`a\\ b \\'x\\' \\"y\\" \\\\ \\#z`)).toEqual(['a b', "'x'", '"y"', '\\', '#z']);
    expect(tokenizeLine('end\\')).toEqual(['end\\']);
  });

  it('makes an empty word of empty quotes', () => {
    expect(tokenizeLine(`--id '' --x ""`)).toEqual(['--id', '', '--x', '']);
    expect(tokenizeLine(`''`)).toEqual(['']);
  });

  it('starts a comment with a # that begins a word, only there', () => {
    expect(tokenizeLine('# the whole line')).toEqual([]);
    expect(tokenizeLine('   \t# indented')).toEqual([]);
    expect(tokenizeLine('Dummy --loops 3 # three loops')).toEqual(['Dummy', '--loops', '3']);
    expect(tokenizeLine('Dummy --loops 3 #')).toEqual(['Dummy', '--loops', '3']);
    expect(tokenizeLine('--id a#b')).toEqual(['--id', 'a#b']);
    expect(tokenizeLine(`--id '#1' "#2" x # '#unclosed`)).toEqual(['--id', '#1', '#2', 'x']);
  });

  it('throws on unterminated quotes, with the column of the opening quote', () => {
    const single = tokenizeError(() => tokenizeLine(`Dummy --extra '{"a": 1}`));
    expect(single.message).toBe('unterminated single quote');
    expect(single.column).toBe(15);
    expect(single.line).toBeUndefined();
    expect(tokenizeError(() => tokenizeLine(`"abc`)).message).toBe('unterminated double quote');
    expect(tokenizeError(() => tokenizeLine(`"abc\\"`)).message).toBe('unterminated double quote');
    expect(tokenizeError(() => tokenizeLine(`it's`)).message).toBe('unterminated single quote');
    expect(tokenizeError(() => tokenizeLine(`"it's`)).message).toBe('unterminated double quote');
  });
});

describe('splitScenario', () => {
  it('skips blank and comment lines, numbering the others as in the file', () => {
    const text = [
      '# A scenario',
      '',
      `Dummy --id A --process 2 --loops 3`,
      '   ',
      '  # indented comment',
      `\tDummy --id B --extra '{"transaction": true}'  # trailing comment`,
      '',
    ].join('\n');
    expect(splitScenario(text)).toEqual([
      { line: 3, words: ['Dummy', '--id', 'A', '--process', '2', '--loops', '3'] },
      { line: 6, words: ['Dummy', '--id', 'B', '--extra', '{"transaction": true}'] },
    ]);
  });

  it('handles CRLF, a missing final newline and a BOM', () => {
    expect(splitScenario('\uFEFF# c\r\nDummy --id A\r\n\r\nDummy --id "B C"')).toEqual([
      { line: 2, words: ['Dummy', '--id', 'A'] },
      { line: 4, words: ['Dummy', '--id', 'B C'] },
    ]);
    expect(splitScenario('')).toEqual([]);
  });

  it('reports the line of a quoting error; quotes never span lines', () => {
    const error = tokenizeError(() => splitScenario(`Dummy\nDummy --extra '{"a":\n 1}'`));
    expect(error.message).toBe('unterminated single quote');
    expect(error.line).toBe(2);
    expect(error.column).toBe(15);
  });
});
