/**
 * Secrets never reach an output (docs/when-things-go-wrong.md "Secrets"). One place for the three masks every output uses:
 * - secretKey: a key whose value is a secret (--extra {"password": ...}, "pw", "apiKey", "PIN", ...);
 * - maskUrl: the userinfo of any URL in a text (http://admin:pass@host → http://***@host);
 * - redactor: the run's known credential values (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, secret
 *   --extra values, URL passwords) taken out of any text it keeps or prints: an endpoint's
 *   InvalidSignatureException quotes the canonical request, session token included.
 * - redactText: what merely looks like a secret in a message people share (error samples): URL
 *   userinfo, `NAME=value` / `NAME: value` pairs under a secret-looking name, Bearer/Basic credentials.
 * The error samples of the summary call redactor() too (src/runner/ keeps the texts, redacted).
 */

export const MASK = '***';

/** Keys whose values are secrets, in any case: pin, pw, pass(word), secret, token, credential(s), private key, api key. */
export const SECRET_KEY = /pin|pw|pass|secret|token|credential|private|api[-_]?key|auth/i;

export function secretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]+@/gi;

/** The names whose values redactText masks in free text, where a signature or an API key may be echoed too. */
const SECRET_FIELD = /pin|pass|secret|token|credential|private|signature|authorization|api[-_]?key/i;

/** Longest sample kept: an error message is a line, not a response body. */
const MAX_TEXT = 300;

/**
 * A message with what looks like a secret masked: URL userinfo (`https://user:pw@host`), `NAME=value`
 * and `NAME: value` pairs whose name is secret-looking, and `Bearer`/`Basic` credentials. Cut to
 * MAX_TEXT characters.
 */
export function redactText(text: string): string {
  const out = maskUrl(text)
    .replace(/\b(Bearer|Basic)\s+[\w.~+/=-]+/g, `$1 ${MASK}`)
    .replace(/(["']?)([\w.-]+)\1(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"'}]+)/g, (m, q: string, name: string, sep: string) =>
      SECRET_FIELD.test(name) ? `${q}${name}${q}${sep}${MASK}` : m,
    );
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT - 1)}…` : out;
}

/** Every URL's userinfo in a text masked. */
export function maskUrl(text: string): string {
  return text.replace(URL_USERINFO, `$1${MASK}@`);
}

/**
 * Environment variables whose values are credentials (their values are redacted from every text):
 * each protocol declares its own (`secretEnv` of src/protocols/Protocol.ts) and the entry that
 * installs the protocols hands them here (src/protocols/seam.ts; a runner gets the main process's
 * whole list in its RunnerSpec, since it loads only its own protocol).
 */
const SECRET_ENV = new Set<string>();

/** Adds credential variables to those redacted (see SECRET_ENV). */
export function declareSecretEnv(names: readonly string[]): void {
  for (const n of names) SECRET_ENV.add(n);
}

/** The credential variables declared so far (for a runner's RunnerSpec). */
export function secretEnvNames(): string[] {
  return [...SECRET_ENV];
}

/** Shorter values are not redacted: they would mask ordinary words. */
const MIN_SECRET = 4;

/** The secret values in an --extra object, at any depth (strings under secret-looking keys). */
export function secretValues(v: unknown, underSecret = false): string[] {
  if (typeof v === 'string') return underSecret ? [v] : [];
  if (typeof v === 'number') return underSecret ? [String(v)] : [];
  if (v === null || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.flatMap((x) => secretValues(x, underSecret));
  return Object.entries(v).flatMap(([k, x]) => secretValues(x, underSecret || secretKey(k)));
}

/**
 * A function that takes the known secrets out of a text: the values of SECRET_ENV in `env`, the
 * `extra` secrets, and URL userinfo. Longest first, so a value containing another goes whole.
 */
export function redactor(env: NodeJS.ProcessEnv = process.env, extra: unknown = undefined): (text: string) => string {
  const fromEnv = [...SECRET_ENV]
    .flatMap((k) => env[k] ?? [])
    // a credential pair ID:SECRET (PYLOGEN_KMS_CREDENTIALS) also hides SECRET alone
    .flatMap((v) => (v.includes(':') ? [v, v.slice(v.indexOf(':') + 1)] : [v]));
  const values = [...fromEnv, ...secretValues(extra)]
    .filter((v) => v.length >= MIN_SECRET)
    // a value as a canonical query string or a URL carries it: percent-encoded
    .flatMap((v) => (encodeURIComponent(v) === v ? [v] : [v, encodeURIComponent(v)]))
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let t = text;
    for (const v of values) if (t.includes(v)) t = t.split(v).join(MASK);
    return maskUrl(t);
  };
}
