/**
 * `pylogen kms serve`: the embedded KMS-compatible server in the foreground, for runs of other
 * processes (`--endpoint http://127.0.0.1:PORT`), tests and demos. Its URL goes to stdout (one line,
 * for scripts), the messages to stderr; it serves until SIGINT or SIGTERM, then prints its counts
 * and exits 0.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ExitCode } from '../core/exitcodes.js';
import { UsageError } from '../core/errors.js';
import { loadKeyFile } from './model/keyfile.js';
import { parseCredentials } from './server/auth.js';
import { embeddedRegion } from './model/region.js';
import { startKmsServers } from './server/workers.js';
import { packageRoot } from '../core/paths.js';
import { parseLatency, SERVE_OPTIONS } from '../command/kmsOptions.js';
import { optionsCommand, type CommandIO } from '../command/optionsCommand.js';
import { signalled } from '../command/signals.js';

const LOOPBACK = new Set(['localhost', '::1', '[::1]']);
const isLoopback = (host: string): boolean => LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));

export interface ServeIO extends CommandIO {
  /** resolves when the server must stop (default: SIGINT or SIGTERM) */
  stopped?: Promise<unknown>;
}

/**
 * The credentials to check, kept out of the process list: `@FILE` (its first line), or the
 * environment's PYLOGEN_KMS_CREDENTIALS without --credentials.
 */
function credentialsFrom(given: string | undefined, cwd: string): string | undefined {
  if (given === undefined) {
    const env = process.env.PYLOGEN_KMS_CREDENTIALS;
    return env === undefined || env.trim() === '' ? undefined : env.trim();
  }
  if (!given.startsWith('@')) return given;
  const file = resolve(cwd, given.slice(1));
  try {
    return readFileSync(file, 'utf8').split('\n')[0]!.trim();
  } catch (e) {
    throw new UsageError(`--credentials ${given}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export const kmsServe = optionsCommand<ServeIO>('kms', 'serve', SERVE_OPTIONS, async ({ v, cwd, out, err, io }) => {
  const latency = parseLatency(v.text('latency'));
  const keyFile = loadKeyFile(v.text('keys'), cwd, packageRoot);
  const host = v.text('host');
  const credentialsText = credentialsFrom(v.maybeText('credentials'), cwd);
  const credentials = credentialsText === undefined ? undefined : parseCredentials(credentialsText);
  if (typeof credentials === 'string') throw new UsageError(`--credentials ${credentials}`);
  // Listen for the signals before the server exists: a Ctrl-C during key generation still stops it.
  const stop = io.stopped ?? signalled();
  const workers = v.num('workers');
  const throttleRps = v.maybeNum('throttle');
  const server = await startKmsServers(
    {
      host,
      port: v.num('port'),
      keys: [...keyFile.entries.values()],
      region: embeddedRegion(v.maybeText('region')),
      ...(latency.max > 0 ? { latencyMs: latency } : {}),
      ...(throttleRps !== undefined ? { throttleRps } : {}),
      errorRate: v.num('error-rate'),
      maxConnections: v.num('max-connections'),
      ...(credentials === undefined ? {} : { credentials }),
    },
    workers,
  );
  const since = performance.now();
  const procs = workers > 1 ? `, ${workers} worker processes` : '';
  err(`pylogen kms server listening on ${server.url} (${keyFile.entries.size} keys from ${keyFile.path}${procs})\n`);
  if (!isLoopback(host) && credentials === undefined) {
    err(`pylogen kms server: warning: --host ${host}: the server checks no credentials; anyone who can reach this address can use its keys\n`);
  }
  const signing = credentials === undefined ? 'any AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY will do' : 'requests must be signed with the --credentials given';
  err(`pylogen kms server: use --endpoint ${server.url} (${signing}); Ctrl-C stops it\n`);
  out(`${server.url}\n`);
  await stop;
  const s = await server.close();
  const seconds = (performance.now() - since) / 1000;
  err(
    `pylogen kms server: stopped after ${seconds.toFixed(1)} s: ${s.requests} requests (${(s.requests / Math.max(seconds, 0.001)).toFixed(1)}/s), ` +
      `${s.throttled} throttled, ${s.injectedErrors} injected errors\n`,
  );
  return ExitCode.ok;
});
