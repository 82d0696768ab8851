/**
 * `pylogen vault serve` and `pylogen vault setup`: Command objects in the shape of
 * src/cli/command.ts's Command (the registry hands them to the command line; this folder does not
 * import cli/). Their options are rows of the run's option table shape, checked by the same
 * parseValue, every problem at once in one line (exit 2).
 */
import { readFileSync } from 'node:fs';
import { Problems, UsageError, describeError } from '../core/errors.js';
import { ExitCode } from '../core/exitcodes.js';
import { packageRoot } from '../core/paths.js';
import { parseValue, type Kind } from '../config/options.js';
import { VaultClient } from './client.js';
import { INSECURE_WARNING, VAULT_LOCAL, vaultConnection, vaultEndpointProblem } from './connection.js';
import { DEFAULT_VAULT_KEY_FILE, loadVaultKeyFile } from './keyfile.js';
import { startVaultServer } from './server/server.js';
import { setupVault } from './setup.js';

interface Row {
  name: string;
  kind: Kind;
  describe: string;
  value?: string;
  default?: string;
}

/** What a command's run() gets (src/cli/command.ts CommandArgs, the part used here). */
interface Args {
  positionals: string[];
  values: Record<string, string>;
  cwd: string;
}

/** Where a command writes, and (tests) when `serve` must stop. */
export interface VaultCommandIO {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  stopped?: Promise<unknown>;
}

const KEYS: Row = { name: 'keys', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: "Vault key file (as given, then ./profiles, then the package's profiles/)", default: DEFAULT_VAULT_KEY_FILE };

export const VAULT_SERVE_OPTIONS: readonly Row[] = [
  { name: 'host', value: 'HOST', kind: { type: 'string', nonEmpty: true }, describe: 'address to listen on (keep it on loopback: plain HTTP)', default: '127.0.0.1' },
  { name: 'port', value: 'N', kind: { type: 'int', min: 0, max: 65535 }, describe: 'TCP port; 0 picks a free one (the URL is printed)', default: '0' },
  KEYS,
  { name: 'token', value: 'TOKEN', kind: { type: 'string', nonEmpty: true }, describe: 'require this token (X-Vault-Token); 403 "permission denied" otherwise (default: any token). It shows in the process list: prefer --token-file' },
  { name: 'token-file', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: 'require the token in this file (its first line)' },
  { name: 'latency', value: 'MS|MIN-MAX', kind: { type: 'string', nonEmpty: true }, describe: 'added to every answer, ms: MS, or MIN-MAX drawn uniformly', default: '0' },
  { name: 'throttle', value: 'RPS', kind: { type: 'number', min: 0, positive: true }, describe: 'requests/s over all clients; above it 429 "rate limit quota exceeded" with Retry-After, as a Vault rate-limit quota' },
  { name: 'error-rate', value: 'P', kind: { type: 'number', min: 0, max: 1 }, describe: 'probability (0..1) of answering 500 instead', default: '0' },
  { name: 'sealed', kind: { type: 'flag' }, describe: 'answer as a sealed Vault: 503 "Vault is sealed" (sys/seal-status says sealed)' },
];

export const VAULT_SETUP_OPTIONS: readonly Row[] = [
  KEYS,
  { name: 'endpoint', value: 'URL', kind: { type: 'url' }, describe: 'Vault address (default VAULT_ADDR); the token is VAULT_TOKEN or ~/.vault-token' },
  { name: 'namespace', value: 'NS', kind: { type: 'string', nonEmpty: true }, describe: 'X-Vault-Namespace (default VAULT_NAMESPACE)' },
  { name: 'retries', value: 'N', kind: { type: 'int', min: 0, max: 100 }, describe: 'retries of a call answered 429 or 5xx', default: '2' },
  { name: 'timeout', value: 'S', kind: { type: 'number', min: 0, positive: true }, describe: 'seconds before a call times out', default: '10' },
];

function parse(command: string, a: Args, rows: readonly Row[]): Record<string, unknown> {
  if (a.positionals.length > 0) throw new UsageError(`vault ${command} takes options only, but got "${a.positionals[0]}"`);
  const problems = new Problems();
  const v: Record<string, unknown> = {};
  for (const r of rows) {
    const raw = a.values[r.name] ?? r.default;
    if (raw === undefined) continue;
    const p = parseValue(r, raw);
    if ('problem' in p) problems.add(p.problem);
    else v[r.name] = p.value;
  }
  problems.throwIfAny();
  return v;
}

/** `--latency MS` or `MIN-MAX`, ms. */
function latencyOf(raw: string): { min: number; max: number } {
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(raw);
  if (m === null) throw new UsageError(`--latency must be MS or MIN-MAX in milliseconds (like 5 or 2-8), but is "${raw}"`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (max < min) throw new UsageError(`--latency MIN-MAX must have MIN <= MAX, but is "${raw}"`);
  return { min, max };
}

function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function vaultServe(a: Args, io: VaultCommandIO = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const v = parse('serve', a, VAULT_SERVE_OPTIONS);
  const latency = latencyOf(v.latency as string);
  const keyFile = loadVaultKeyFile(v.keys as string, a.cwd, packageRoot);
  if (v.token !== undefined && v['token-file'] !== undefined) throw new UsageError('vault serve: give --token or --token-file, not both');
  let token = v.token as string | undefined;
  if (v['token-file'] !== undefined) {
    try {
      token = readFileSync(v['token-file'] as string, 'utf8').split('\n')[0]!.trim();
    } catch (e) {
      throw new UsageError(`--token-file ${v['token-file'] as string}: cannot be read: ${(e as Error).message}`);
    }
    if (token === '') throw new UsageError(`--token-file ${v['token-file'] as string}: the file is empty`);
  }
  const stop = io.stopped ?? signalled();
  const server = await startVaultServer({
    host: v.host as string,
    port: v.port as number,
    keys: [...keyFile.entries.values()],
    ...(token === undefined ? {} : { token }),
    ...(latency.max > 0 ? { latencyMs: latency } : {}),
    ...(v.throttle === undefined ? {} : { throttleRps: v.throttle as number }),
    errorRate: v['error-rate'] as number,
    sealed: v.sealed === true,
  });
  const since = performance.now();
  err(`pylogen vault server listening on ${server.url} (${keyFile.entries.size} keys from ${keyFile.path}${v.sealed === true ? ', sealed' : ''})\n`);
  err(`pylogen vault server: use --endpoint ${server.url} (${token === undefined ? 'any VAULT_TOKEN will do' : 'with VAULT_TOKEN set to the --token given'}); Ctrl-C stops it\n`);
  out(`${server.url}\n`);
  await stop;
  const s = server.stats();
  await server.close();
  const seconds = (performance.now() - since) / 1000;
  err(`pylogen vault server: stopped after ${seconds.toFixed(1)} s: ${s.requests} requests (${(s.requests / Math.max(seconds, 0.001)).toFixed(1)}/s), ${s.throttled} throttled, ${s.injectedErrors} injected errors\n`);
  return ExitCode.ok;
}

export async function vaultSetup(a: Args, io: VaultCommandIO = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const v = parse('setup', a, VAULT_SETUP_OPTIONS);
  const endpoint = (v.endpoint as string | undefined) ?? '';
  if (endpoint === VAULT_LOCAL) throw new UsageError(`vault setup --endpoint ${VAULT_LOCAL}: the embedded server of a run lives only for that run and creates its keys itself; start one with \`pylogen vault serve\` and give its URL`);
  const problem = vaultEndpointProblem(endpoint, process.env);
  if (problem !== undefined) throw new UsageError(problem.replace(/a Vault CUT needs/, 'vault setup needs'));
  const file = loadVaultKeyFile(v.keys as string, a.cwd, packageRoot);
  const conn = vaultConnection(endpoint, process.env, v.namespace as string | undefined);
  if (conn.insecure) err(`pylogen vault setup: warning: ${INSECURE_WARNING}\n`);
  const client = new VaultClient({ ...conn, timeoutMs: (v.timeout as number) * 1000, retries: v.retries as number });
  try {
    const lines = await setupVault(client, file, (line) => out(`${line}\n`));
    const created = lines.filter((l) => l.outcome === 'created').length;
    const bad = lines.filter((l) => !l.ok).length;
    out(`${file.entries.size} keys of ${file.path} on ${client.address.origin}: ${created} created, ${lines.length - created - bad} already there${bad > 0 ? `, ${bad} different from the file` : ''}\n`);
    return bad > 0 ? ExitCode.runFailed : ExitCode.ok;
  } catch (e) {
    err(`pylogen vault setup: ${client.address.origin}: ${describeError(e)}\n`);
    return ExitCode.runFailed;
  } finally {
    client.close();
  }
}

export const vaultServeCommand = {
  path: ['vault', 'serve'] as const,
  describe: 'the embedded Vault Transit server, until Ctrl-C',
  details:
    "The embedded Vault Transit server (Vault's HTTP API v1, real cryptography with node:crypto), with the keys of a Vault key file " +
    'created at start under their mounts. Prints its URL on stdout, serves until Ctrl-C (SIGINT) or SIGTERM, then prints its counts ' +
    'and exits 0. Without --token it accepts any token; with it, others get 403 "permission denied" as Vault answers.',
  options: VAULT_SERVE_OPTIONS,
  examples: [
    ['pylogen vault serve --port 8200', 'keys of profiles/VaultDefault.json'],
    ['pylogen vault serve --port 8200 --token-file token.txt --throttle 500', 'then: VAULT_TOKEN=$(cat token.txt) pylogen cuts.VaultTransitEncrypt --endpoint http://127.0.0.1:8200'],
    ['pylogen vault serve --sealed', 'a sealed Vault, for the preflight'],
  ] as const,
  run: (a: Args): Promise<number> => vaultServe(a),
};

export const vaultSetupCommand = {
  path: ['vault', 'setup'] as const,
  describe: 'enable the Transit mounts and create the keys that a Vault key file names',
  details:
    'Enables each mount of the key file as a Transit mount when missing, creates each key when missing (its type, derived, exportable), ' +
    'checks the existing ones against the file. Idempotent; nothing is deleted or rotated. One line per key on stdout, then a count; ' +
    'exit 1 when a key differs from the file or Vault refuses a call.',
  options: VAULT_SETUP_OPTIONS,
  examples: [
    ['VAULT_ADDR=https://vault:8200 VAULT_TOKEN=... pylogen vault setup', 'the keys of profiles/VaultDefault.json'],
    ['pylogen vault setup --endpoint http://127.0.0.1:8200 --keys my-vault-keys.json', 'against `pylogen vault serve`'],
  ] as const,
  run: (a: Args): Promise<number> => vaultSetup(a),
};
