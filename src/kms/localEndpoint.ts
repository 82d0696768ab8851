/**
 * `--endpoint local`: the embedded KMS server for the duration of a run, in a child process of its
 * own (src/kms/server/serveProcess.ts) on a free loopback port, with the keys of every key file that the
 * run's local lines name (`--extra '{"file": ...}'`, default KmsDefault.json). The runners of those
 * lines get its URL, its region and throwaway credentials (LOCAL_RUNNER_ENV), which the server knows
 * and checks every request's SigV4 signature against (as AWS would): a user's real AWS credentials
 * have no business being used to sign requests to it.
 */
import { forkServer } from '../core/serverChild.js';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { DEFAULT_KEY_FILE, loadKeyFile, type KeyEntry } from './model/keyfile.js';
import { THROWAWAY_CREDENTIALS } from './client/credentials.js';
import { embeddedRegion } from './model/region.js';
import { packageRoot } from '../core/paths.js';
import type { RunPlan } from '../core/plan.js';
import type { ServeChildMessage, ServeMainMessage } from './server/messages.js';

export interface LocalEndpoint {
  /** http://127.0.0.1:PORT */
  url: string;
  /** the region of the server's ARNs, which the local lines' runners sign with too */
  region: string;
  /** keys created at start */
  keys: number;
  /** the server process's pid (shown with -v) */
  pid: number | undefined;
  /** Stops the server: closes its channel, and kills it if it has not exited within a bound. */
  close(): Promise<void>;
  /** How the server ended if it died during the run (before close()), else undefined. */
  died(): string | undefined;
}

/** Generating RSA key pairs takes a while on a slow machine; a server that is not up by then is broken. */
const START_TIMEOUT_MS = 60_000;
const KILL_AFTER_MS = 3000;

/**
 * Environment of a runner whose endpoint is the embedded server: throwaway credentials, and nothing
 * that would make the SDK prefer the user's own (AWS_PROFILE makes it skip the environment's keys).
 * `undefined` removes a variable.
 */
export const LOCAL_RUNNER_ENV: Readonly<Record<string, string | undefined>> = {
  AWS_ACCESS_KEY_ID: THROWAWAY_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: THROWAWAY_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: undefined,
  AWS_SECURITY_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CREDENTIAL_EXPIRATION: undefined,
};

/** The region of the local lines: the one --region they agree on, else AWS_REGION, else us-east-1. */
export function localRegion(plan: RunPlan, env: NodeJS.ProcessEnv = process.env): string {
  const given = [...new Set(plan.lines.filter((l) => l.options.endpoint === 'local' && l.options.region !== '').map((l) => l.options.region))];
  if (given.length > 1) {
    throw new UsageError(`--endpoint local: the lines that use it must agree on --region (one embedded server), but give ${given.join(', ')}`);
  }
  return embeddedRegion(given[0], env);
}

const sameKind = (a: KeyEntry, b: KeyEntry): boolean => a.keySpec === b.keySpec && a.keyUsage === b.keyUsage;

/**
 * The keys of every key file named by a local line, each key once. The same alias (or fixed key id)
 * in two files is one key when both say the same kind of key, and an error otherwise.
 */
export function localKeys(plan: RunPlan, cwd: string = process.cwd()): { entries: KeyEntry[]; files: string[] } {
  const byRef = new Map<string, { entry: KeyEntry; file: string }>();
  const files: string[] = [];
  for (const line of plan.lines) {
    if (line.options.endpoint !== 'local') continue;
    const file = line.options.extra.file ?? DEFAULT_KEY_FILE;
    if (typeof file !== 'string') throw new UsageError(`--extra: "file" must be the name of a key file, but is ${JSON.stringify(file)}`);
    const { path, entries } = loadKeyFile(file, cwd, packageRoot);
    if (files.includes(path)) continue;
    files.push(path);
    for (const entry of entries.values()) {
      for (const ref of [entry.alias, entry.keyId]) {
        if (ref === undefined) continue;
        const seen = byRef.get(ref);
        if (seen === undefined) continue;
        if (!sameKind(seen.entry, entry)) {
          throw new UsageError(
            `--endpoint local: ${ref} is a ${seen.entry.keySpec} ${seen.entry.keyUsage} key in ${seen.file} (key "${seen.entry.name}") ` +
              `but a ${entry.keySpec} ${entry.keyUsage} key in ${path} (key "${entry.name}")`,
          );
        }
      }
      if ([entry.alias, entry.keyId].some((r) => r !== undefined && byRef.has(r))) continue;
      for (const ref of [entry.alias, entry.keyId]) if (ref !== undefined) byRef.set(ref, { entry, file: path });
    }
  }
  return { entries: [...new Set([...byRef.values()].map((v) => v.entry))], files };
}

/**
 * Server processes of `--endpoint local`: a quarter of the cores (at least one), so that on a big
 * machine the embedded server keeps up with the runners, which keep the other cores.
 */
export function localWorkers(cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 4));
}

export async function startLocalEndpoint(plan: RunPlan, cwd: string = process.cwd()): Promise<LocalEndpoint> {
  const region = localRegion(plan);
  const { entries } = localKeys(plan, cwd);
  const { child, close, died } = forkServer(join(packageRoot, 'dist/kms/server/serveProcess.js'), KILL_AFTER_MS, { serialization: 'advanced' });

  const started = await new Promise<{ url: string; keys: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the embedded KMS server did not start within ${START_TIMEOUT_MS / 1000}s`)), START_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      void close().then(() => reject(err));
    };
    const onMessage = (m: ServeChildMessage): void => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve({ url: m.url, keys: m.keys });
      } else {
        fail(
          m.usage
            ? new UsageError(`--endpoint local: ${m.error.replace(/^kms server: /, 'the embedded KMS server: ')}`)
            : new Error(`the embedded KMS server failed to start: ${m.error}`),
        );
      }
    };
    child.on('message', onMessage);
    child.once('error', (err) => fail(new Error(`the embedded KMS server could not be started: ${err.message}`)));
    child.once('exit', (code, signal) =>
      fail(new Error(`the embedded KMS server exited ${signal !== null ? `on ${signal}` : `with code ${code}`} before listening`)),
    );
    const credentials = { ...THROWAWAY_CREDENTIALS };
    child.send({
      type: 'serve',
      options: { host: '127.0.0.1', port: 0, keys: entries, region, credentials },
      workers: localWorkers(),
    } satisfies ServeMainMessage);
  });
  return { url: started.url, region, keys: started.keys, pid: child.pid, close, died };
}
