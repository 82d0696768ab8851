/**
 * `pylogen vault setup`: makes a Vault ready for a key file — each mount the file names enabled as a
 * Transit mount when missing (POST sys/mounts/{mount}), each key created when missing (POST
 * {mount}/keys/{name} with its type, derived, exportable), each existing key checked against the file
 * (type, derived). Idempotent; nothing is deleted or rotated. One line per key.
 */
import type { VaultClient } from './client.js';
import type { VaultKeyFile } from './keyfile.js';
import { VaultError } from './VaultError.js';

export interface SetupLine {
  entry: string;
  /** "created", "exists", or what differs */
  outcome: string;
  ok: boolean;
}

/** Whether a 404 says the route (the mount) is missing rather than the key. */
export const missingRoute = (err: unknown): boolean =>
  err instanceof VaultError && err.status === 404 && err.errors.some((m) => m.includes('no handler for route'));

export async function setupVault(client: VaultClient, file: VaultKeyFile, say: (line: string) => void): Promise<SetupLine[]> {
  const mounts = [...new Set([...file.entries.values()].map((e) => e.mount))];
  const existing = await client.call('GET', 'sys/mounts');
  const table = (existing?.data ?? existing ?? {}) as Record<string, { type?: string }>;
  for (const m of mounts) {
    const found = table[`${m}/`];
    if (found === undefined) {
      await client.call('POST', `sys/mounts/${m}`, JSON.stringify({ type: 'transit', description: 'enabled by pylogen vault setup' }));
      say(`mount ${m}/: enabled (transit)`);
    } else if (found.type !== 'transit') {
      throw new Error(`mount ${m}/ exists but is a ${found.type ?? 'non-transit'} mount, not transit: name another mount in ${file.label}`);
    }
  }
  const lines: SetupLine[] = [];
  for (const e of file.entries.values()) {
    const where = `${e.mount}/keys/${e.name}`;
    let data: Record<string, unknown> | undefined;
    try {
      data = (await client.call('GET', where))?.data;
    } catch (err) {
      if (!(err instanceof VaultError && err.status === 404) || missingRoute(err)) throw err;
    }
    let line: SetupLine;
    if (data === undefined) {
      await client.call('POST', where, JSON.stringify({ type: e.type, derived: e.derived, exportable: e.exportable }));
      line = { entry: e.entry, outcome: 'created', ok: true };
    } else {
      const diffs: string[] = [];
      if (data.type !== e.type) diffs.push(`type is ${String(data.type)}, the file says ${e.type}`);
      if ((data.derived === true) !== e.derived) diffs.push(`derived is ${String(data.derived)}, the file says ${e.derived}`);
      line = diffs.length === 0 ? { entry: e.entry, outcome: 'exists', ok: true } : { entry: e.entry, outcome: `exists, but ${diffs.join('; ')}`, ok: false };
    }
    say(`key "${e.entry}": ${where} ${e.type}: ${line.outcome}`);
    lines.push(line);
  }
  return lines;
}
