/**
 * `pylogen kms serve`: the embedded KMS-compatible server in the foreground, for runs of other
 * processes (`--endpoint http://127.0.0.1:PORT`), tests and demos. Its URL goes to stdout (one line,
 * for scripts), the messages to stderr; it serves until SIGINT or SIGTERM, then prints its counts
 * and exits 0.
 */
import { isIP } from 'node:net';
import { ExitCode } from '../exitcodes.js';
import { UsageError } from '../errors.js';
import { loadKeyFile } from '../kms/keyfile.js';
import { parseCredentials } from '../kms/server-auth.js';
import { embeddedRegion } from '../kms/region.js';
import { startKmsServers } from '../kms/serverWorkers.js';
import { packageRoot } from '../paths.js';
import { parseKmsOptions, parseLatency, SERVE_OPTIONS } from './kmsOptions.js';

const LOOPBACK = new Set(['localhost', '::1', '[::1]']);
const isLoopback = (host: string): boolean => LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));

export interface ServeIO {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** resolves when the server must stop (default: SIGINT or SIGTERM) */
  stopped?: Promise<unknown>;
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

export async function kmsServe(words: readonly string[], cwd: string, io: ServeIO = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const v = parseKmsOptions('serve', words, SERVE_OPTIONS);
  const latency = parseLatency(v.latency as string);
  const keyFile = loadKeyFile(v.keys as string, cwd, packageRoot);
  const host = v.host as string;
  const credentials = v.credentials === undefined ? undefined : parseCredentials(v.credentials as string);
  if (typeof credentials === 'string') throw new UsageError(`--credentials ${credentials}`);
  // Listen for the signals before the server exists: a Ctrl-C during key generation still stops it.
  const stop = io.stopped ?? signalled();
  const workers = v.workers as number;
  const server = await startKmsServers({
    host,
    port: v.port as number,
    keys: [...keyFile.entries.values()],
    region: embeddedRegion(v.region as string | undefined),
    ...(latency.max > 0 ? { latencyMs: latency } : {}),
    ...(v.throttle !== undefined ? { throttleRps: v.throttle as number } : {}),
    errorRate: v['error-rate'] as number,
    ...(credentials === undefined ? {} : { credentials }),
  }, workers);
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
}
