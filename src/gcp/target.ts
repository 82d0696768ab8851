/**
 * `--endpoint gcp-local`: the embedded Cloud KMS server, started in a child process for the lines
 * that name it, with the key ring and keys of every key file those lines use. Each line's runners
 * get the URL of the transport of its --client (gRPC or REST) and an environment that keeps
 * google-auth-library from probing the metadata server; the client sends no credentials to an
 * http:// endpoint (client.ts), so nothing leaves the machine.
 */
import { forkServer } from '../core/serverChild.js';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { findKeyFile } from '../core/keyFile.js';
import { packageRoot } from '../core/paths.js';
import type { CutLine } from '../core/plan.js';
import { DEFAULT_GCP_KEY_FILE, parseGcpKeyFile } from './keyfile.js';
import type { GcpServeChildMessage, GcpServeMainMessage } from './server/serveProcess.js';

const START_TIMEOUT_MS = 30_000;
const KILL_AFTER_MS = 5_000;

/** What the runners of a line against an emulator get on top of the environment: no ADC lookups. */
export const EMULATOR_ENV: Readonly<Record<string, string | undefined>> = {
  // gcp-metadata: never probe the metadata server (169.254.169.254)
  METADATA_SERVER_DETECTION: 'none',
  // no credentials file of the user's is read for a throwaway target
  GOOGLE_APPLICATION_CREDENTIALS: undefined,
};

export interface GcpLocal {
  grpcUrl: string;
  restUrl: string;
  keys: number;
  pid: number | undefined;
  forLine(line: CutLine): { endpoint: string; env: Readonly<Record<string, string | undefined>> };
  died(): string | undefined;
  close(): Promise<void>;
}

/** The key files the lines use (their --extra "file", default GcpDefault.json), read and checked. */
export function lineKeyFiles(lines: readonly CutLine[], cwd: string): { label: string; path: string; text: string }[] {
  const byPath = new Map<string, { label: string; path: string; text: string }>();
  for (const line of lines) {
    const label = (line.options.extra as { file?: unknown }).file;
    const name = typeof label === 'string' ? label : DEFAULT_GCP_KEY_FILE;
    const { path, text } = findKeyFile(name, cwd, packageRoot);
    parseGcpKeyFile(text, name, path);
    byPath.set(path, { label: name, path, text });
  }
  return [...byPath.values()];
}

export async function startGcpLocal(lines: readonly CutLine[], cwd: string, faults: GcpServeMainMessage['options'] = {}): Promise<GcpLocal> {
  const keyFiles = lineKeyFiles(lines, cwd);
  const { child, close, died } = forkServer(join(packageRoot, 'dist/gcp/server/serveProcess.js'), KILL_AFTER_MS);
  const started = await new Promise<{ grpcUrl: string; restUrl: string; keys: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the embedded Cloud KMS server did not start within ${START_TIMEOUT_MS / 1000}s`)), START_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      void close().then(() => reject(err));
    };
    child.once('message', (m: GcpServeChildMessage) => {
      clearTimeout(timer);
      if (m.type === 'listening') resolve(m);
      else fail(new UsageError(`--endpoint gcp-local: the embedded Cloud KMS server: ${m.error}`));
    });
    child.once('error', (err) => fail(new Error(`the embedded Cloud KMS server could not be started: ${err.message}`)));
    child.once('exit', (code, signal) =>
      fail(new Error(`the embedded Cloud KMS server exited ${signal !== null ? `on ${signal}` : `with code ${code}`} before listening`)),
    );
    child.send({ type: 'serve', options: { host: '127.0.0.1', ...faults }, keyFiles } satisfies GcpServeMainMessage);
  });
  return {
    ...started,
    pid: child.pid,
    forLine: (line) => ({ endpoint: (line.options.client as string) === 'rest' ? started.restUrl : started.grpcUrl, env: EMULATOR_ENV }),
    died,
    close,
  };
}
