/**
 * `--endpoint azure-local`: the embedded Key Vault / Managed HSM server (server/server.ts) started in
 * the main process on 127.0.0.1:0 for the lines that name it, with the keys those lines use (from
 * their key files), a throwaway bearer token and a throwaway CA. Its runners get, through their
 * environment (set at their start, as NODE_EXTRA_CA_CERTS must be), the CA's file and the token
 * (PYLOGEN_AZURE_TOKEN). The flavour is Managed HSM when a line needs it (an oct-HSM key, random
 * bytes), else Key Vault. The CA file is removed at close.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CutLine } from '../core/plan.js';
import { packageRoot } from '../core/paths.js';
import { loadCut } from '../cut/load.js';
import { AZURE_TOKEN_ENV } from './client.js';
import { loadAzureKeyFile, type AzureKeyEntry } from './keyfile.js';
import { startAzureServer, type AzureServerHandle } from './server/server.js';

export interface AzureLocal {
  server: AzureServerHandle;
  env: Readonly<Record<string, string>>;
  keys: number;
  close(): Promise<void>;
}

/** The key-file entries the lines use (their --extra "key", else the CUT's default), by vault name. */
async function keysOf(lines: readonly CutLine[], cwd: string): Promise<{ keys: AzureKeyEntry[]; hsm: boolean }> {
  const keys = new Map<string, AzureKeyEntry>();
  let hsm = false;
  for (const line of lines) {
    const spec = ((await loadCut(line.cut, line.modulePath)) as { azure?: { defaultKey?: string } }).azure;
    if (spec === undefined) continue;
    if (spec.defaultKey === undefined) {
      hsm = true; // GetRandomBytes: Managed HSM only
      continue;
    }
    const extra = line.options.extra as { file?: string; key?: string };
    const file = loadAzureKeyFile(extra.file, cwd, packageRoot);
    const entry = file.entries.get(extra.key ?? spec.defaultKey);
    if (entry === undefined) continue; // the line's validate() says so
    if (entry.family === 'oct') hsm = true;
    keys.set(entry.name, entry);
  }
  return { keys: [...keys.values()], hsm };
}

export async function startAzureLocal(lines: readonly CutLine[], cwd: string): Promise<AzureLocal> {
  const { keys, hsm } = await keysOf(lines, cwd);
  const token = randomBytes(24).toString('base64url');
  const server = await startAzureServer({ flavour: hsm ? 'managedhsm' : 'vault', token, keys });
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-azure-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, server.ca, { mode: 0o600 });
  return {
    server,
    env: { [AZURE_TOKEN_ENV]: token, NODE_EXTRA_CA_CERTS: caFile },
    keys: keys.length,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
