/**
 * Secrets out of text that people share: the one test of a secret-looking name (a PIN, a password,
 * a token), used on --extra keys (report/planSummary.ts) and on the error messages a summary keeps
 * as samples (stats: errorSamples), where a target or a CUT may have echoed a credential.
 */

/** A key whose value is a secret. */
export const SECRET_NAME = /pin|pass|secret|token|credential|private/i;
/** The same in free text, where a signature or an API key may be echoed too. */
const SECRET_FIELD = new RegExp(`${SECRET_NAME.source}|signature|authorization|api[-_]?key`, 'i');

/** Longest sample kept: an error message is a line, not a response body. */
const MAX_TEXT = 300;

/**
 * A message with what looks like a secret masked: URL userinfo (`https://user:pw@host`), `NAME=value`
 * and `NAME: value` pairs whose name is secret-looking, and `Bearer`/`Basic` credentials. Cut to
 * MAX_TEXT characters.
 */
export function redactText(text: string): string {
  const out = text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@')
    .replace(/\b(Bearer|Basic)\s+[\w.~+/=-]+/g, '$1 ***')
    .replace(/(["']?)([\w.-]+)\1(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"'}]+)/g, (m, q: string, name: string, sep: string) => (SECRET_FIELD.test(name) ? `${q}${name}${q}${sep}***` : m));
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT - 1)}…` : out;
}
