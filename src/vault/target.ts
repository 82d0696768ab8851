/**
 * `--endpoint vault-local`: a throwaway embedded Vault server for the lines that name it, in a child
 * process (server/serveProcess.ts) on a free loopback port, with the keys of every Vault key file
 * those lines name (default VaultDefault.json) and a random token that only it and those lines' runners
 * know (VAULT_TOKEN in their environment; the user's VAULT_* settings removed for them).
 */
import { forkServer } from '../core/serverChild.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import type { CutLine } from '../core/plan.js';
import type { StartedTarget } from '../protocols/Protocol.js';
import { VAULT_LOCAL } from './connection.js';
import { DEFAULT_VAULT_KEY_FILE, loadVaultKeyFile } from './keyfile.js';
import type { StartKey } from './server/server.js';
import type { ServeChild, ServeMain } from './server/serveProcess.js';

const START_TIMEOUT_MS = 60_000;
const KILL_AFTER_MS = 3000;

/** The keys of every key file the lines name, each mount/name once (two files disagreeing on one is a UsageError). */
export function localVaultKeys(lines: readonly CutLine[], cwd: string): StartKey[] {
  const byName = new Map<string, { key: StartKey; file: string }>();
  for (const line of lines) {
    const file = line.options.extra.file ?? DEFAULT_VAULT_KEY_FILE;
    if (typeof file !== 'string') throw new UsageError(`--extra: "file" must be the name of a key file, but is ${JSON.stringify(file)}`);
    const { path, entries } = loadVaultKeyFile(file, cwd, packageRoot);
    for (const e of entries.values()) {
      const id = `${e.mount}/${e.name}`;
      const seen = byName.get(id);
      if (seen !== undefined && (seen.key.type !== e.type || seen.key.derived !== e.derived)) {
        throw new UsageError(`--endpoint ${VAULT_LOCAL}: ${id} is ${seen.key.type} in ${seen.file} but ${e.type} in ${path}`);
      }
      if (seen === undefined) byName.set(id, { key: { mount: e.mount, name: e.name, type: e.type, derived: e.derived, exportable: e.exportable }, file: path });
    }
  }
  return [...byName.values()].map((v) => v.key);
}

/** Environment of a runner whose endpoint is the embedded server: its token, none of the user's Vault settings. */
export function localRunnerEnv(token: string): Record<string, string | undefined> {
  return { VAULT_TOKEN: token, VAULT_ADDR: undefined, VAULT_NAMESPACE: undefined, VAULT_CACERT: undefined, VAULT_SKIP_VERIFY: undefined };
}

export async function startLocalVault(lines: readonly CutLine[], cwd: string): Promise<StartedTarget & { url: string; token: string }> {
  const keys = localVaultKeys(lines, cwd);
  const token = `pylogen-${randomBytes(16).toString('hex')}`;
  const { child, close, died } = forkServer(join(packageRoot, 'dist/vault/server/serveProcess.js'), KILL_AFTER_MS);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the embedded Vault server did not start within ${START_TIMEOUT_MS / 1000}s`)), START_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      void close().then(() => reject(err));
    };
    const onMessage = (m: ServeChild): void => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m.url);
      } else fail(new Error(`the embedded Vault server failed to start: ${m.error}`));
    };
    child.on('message', onMessage);
    child.once('error', (err) => fail(new Error(`the embedded Vault server could not be started: ${err.message}`)));
    child.once('exit', (code, signal) =>
      fail(new Error(`the embedded Vault server exited ${signal !== null ? `on ${signal}` : `with code ${code}`} before listening`)),
    );
    child.send({ type: 'serve', options: { host: '127.0.0.1', port: 0, keys, token } } satisfies ServeMain);
  });
  const env = localRunnerEnv(token);
  return {
    url,
    token,
    describe: `the embedded Vault server at ${url} (pid ${child.pid}, ${keys.length} keys)`,
    forLine: () => ({ endpoint: url, env }),
    died,
    close,
  };
}
