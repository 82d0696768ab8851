/**
 * The bodies of `pylogen vault serve` and `pylogen vault setup` (their rows and texts: commands.ts),
 * built with the command kit of cli/ (optionsCommand: raw values checked by the option table, every
 * problem at once, one line, exit 2).
 */
import { readFileSync } from 'node:fs';
import { describeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exitcodes.js';
import { packageRoot } from '../core/paths.js';
import { parseLatency } from '../command/kmsOptions.js';
import { optionsCommand, type CommandIO } from '../command/optionsCommand.js';
import { signalled } from '../command/signals.js';
import { VaultClient } from './client.js';
import { VAULT_SERVE_OPTIONS, VAULT_SETUP_OPTIONS } from './commands.js';
import { INSECURE_WARNING, VAULT_LOCAL, vaultConnection, vaultEndpointProblem } from './connection.js';
import { loadVaultKeyFile } from './keyfile.js';
import { startVaultServer } from './server/server.js';
import { setupVault } from './setup.js';

export interface ServeIO extends CommandIO {
  /** resolves when the server must stop (default: SIGINT or SIGTERM) */
  stopped?: Promise<unknown>;
  /** --sealed (a flag: read from the raw values, the option values hold strings and numbers) */
  sealed?: boolean;
}

function stopSignal(): Promise<NodeJS.Signals> {
  // From here on this command handles SIGINT / SIGTERM itself (what command/signals.ts takeSignals()
  // does for kms serve): main.ts's early handlers would exit 130 without the closing counts.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  return signalled();
}

/** The variable `vault serve` reads its token from without --token / --token-file: out of `ps`, as kms serve's PYLOGEN_KMS_CREDENTIALS. */
export const SERVE_TOKEN_ENV = 'PYLOGEN_VAULT_TOKEN';

/**
 * The token to require: --token (shown in the process list: warned about), --token-file (its first
 * line), else PYLOGEN_VAULT_TOKEN. Not VAULT_TOKEN: that is the client's, and a shell that runs both
 * a server and a client would make the server require it by accident.
 */
function tokenOf(token: string | undefined, file: string | undefined, warn: (line: string) => void): string | undefined {
  if (token !== undefined && file !== undefined) throw new UsageError('vault serve: give --token or --token-file, not both');
  if (token !== undefined) {
    warn(`pylogen vault server: warning: --token shows the token in the process list (ps): give --token-file FILE or ${SERVE_TOKEN_ENV} instead\n`);
    return token;
  }
  if (file === undefined) {
    const env = process.env[SERVE_TOKEN_ENV]?.trim();
    return env === undefined || env === '' ? undefined : env;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--token-file ${file}: cannot be read: ${(e as Error).message}`);
  }
  const first = text.split('\n')[0]!.trim();
  if (first === '') throw new UsageError(`--token-file ${file}: the file is empty`);
  return first;
}

const serve = optionsCommand<ServeIO>('vault', 'serve', VAULT_SERVE_OPTIONS, async ({ v, cwd, out, err, io }) => {
  const latency = parseLatency(v.text('latency'));
  const keyFile = loadVaultKeyFile(v.text('keys'), cwd, packageRoot);
  const token = tokenOf(v.maybeText('token'), v.maybeText('token-file'), err);
  const sealed = io.sealed === true;
  const throttle = v.maybeNum('throttle');
  const stop = io.stopped ?? stopSignal();
  const server = await startVaultServer({
    host: v.text('host'),
    port: v.num('port'),
    keys: [...keyFile.entries.values()],
    ...(token === undefined ? {} : { token }),
    ...(latency.max > 0 ? { latencyMs: latency } : {}),
    ...(throttle === undefined ? {} : { throttleRps: throttle }),
    errorRate: v.num('error-rate'),
    sealed,
  });
  const since = performance.now();
  err(`pylogen vault server listening on ${server.url} (${keyFile.entries.size} keys from ${keyFile.path}${sealed ? ', sealed' : ''})\n`);
  err(
    `pylogen vault server: use --endpoint ${server.url} (${token === undefined ? 'any VAULT_TOKEN will do' : 'with VAULT_TOKEN set to the token given'}); Ctrl-C stops it\n`,
  );
  out(`${server.url}\n`);
  await stop;
  const s = server.stats();
  await server.close();
  const seconds = (performance.now() - since) / 1000;
  err(
    `pylogen vault server: stopped after ${seconds.toFixed(1)} s: ${s.requests} requests (${(s.requests / Math.max(seconds, 0.001)).toFixed(1)}/s), ${s.throttled} throttled, ${s.injectedErrors} injected errors\n`,
  );
  return ExitCode.ok;
});

export const vaultServe = (positionals: readonly string[], raw: Readonly<Record<string, string>>, cwd: string, io: ServeIO = {}): Promise<number> =>
  serve(positionals, raw, cwd, { ...io, sealed: io.sealed ?? raw.sealed === 'true' });

export const vaultSetup = optionsCommand('vault', 'setup', VAULT_SETUP_OPTIONS, async ({ v, cwd, out, err }) => {
  const endpoint = v.maybeText('endpoint') ?? '';
  if (endpoint === VAULT_LOCAL) {
    throw new UsageError(
      `vault setup --endpoint ${VAULT_LOCAL}: the embedded server of a run lives only for that run and creates its keys itself; start one with \`pylogen vault serve\` and give its URL`,
    );
  }
  const problem = vaultEndpointProblem(endpoint, process.env, 'vault setup');
  if (problem !== undefined) throw new UsageError(problem);
  const file = loadVaultKeyFile(v.text('keys'), cwd, packageRoot);
  const conn = vaultConnection(endpoint, process.env, v.maybeText('namespace'));
  if (conn.insecure) err(`pylogen vault setup: warning: ${INSECURE_WARNING}\n`);
  const client = new VaultClient({ ...conn, timeoutMs: v.num('timeout') * 1000, retries: v.num('retries') });
  try {
    const lines = await setupVault(client, file, (line) => out(`${line}\n`));
    const created = lines.filter((l) => l.outcome === 'created').length;
    const bad = lines.filter((l) => !l.ok).length;
    out(
      `${file.entries.size} keys of ${file.path} on ${client.address.origin}: ${created} created, ${lines.length - created - bad} already there${bad > 0 ? `, ${bad} different from the file` : ''}\n`,
    );
    return bad > 0 ? ExitCode.runFailed : ExitCode.ok;
  } catch (e) {
    err(`pylogen vault setup: ${client.address.origin}: ${describeError(e)}\n`);
    return ExitCode.runFailed;
  } finally {
    client.close();
  }
});
