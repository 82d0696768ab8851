/**
 * The preflight of the Vault lines (Protocol.preflight): before anything is forked, for each line,
 * GET sys/seal-status (a sealed Vault), GET auth/token/lookup-self (the token is valid, not expired),
 * and for a keyed CUT GET {mount}/keys/{name} (the mount exists, the key exists, its type fits the
 * CUT). A failure is one line with the cause and the fix; the run does not start (exit 2).
 */
import type { PreflightLine, PreflightOutcome } from '../protocols/Protocol.js';
import { VaultClient } from './client.js';
import { INSECURE_WARNING, vaultConnection } from './connection.js';
import { keyFits, type KeyUse } from './model.js';
import type { VaultKeyEntry, VaultKeyFile } from './keyfile.js';
import { missingRoute } from './setup.js';
import { VaultError } from './VaultError.js';
import { describeError } from '../core/errors.js';
import { schemeMismatch } from '../transport/scheme.js';

interface VaultCutClass {
  vault: { use: KeyUse; defaultKey?: string };
  keyFor(extra: object): { file: VaultKeyFile; key: VaultKeyEntry } | undefined;
}

export async function preflightLine(p: PreflightLine): Promise<PreflightOutcome> {
  const cls = p.cls as VaultCutClass;
  const extra = p.line.options.extra as { namespace?: string };
  const env = { ...process.env, ...p.env };
  let client: VaultClient | undefined;
  const timeoutMs = (p.line.options.timeout ?? 10) * 1000;
  const at = (): string => client?.address.origin ?? p.endpoint;
  try {
    const conn = vaultConnection(p.endpoint, env, extra.namespace);
    client = new VaultClient({ ...conn, timeoutMs, retries: 0 });
    const seal = await client.call('GET', 'sys/seal-status');
    if (seal?.sealed === true) return { ok: false, cause: `Vault at ${at()} is sealed: unseal it (vault operator unseal) before the run` };
    if (conn.token === undefined) return { ok: false, cause: `no Vault token: set VAULT_TOKEN or write ~/.vault-token (vault login)` };
    let self: Record<string, unknown> | undefined;
    try {
      self = (await client.call('GET', 'auth/token/lookup-self'))?.data;
    } catch (err) {
      if (err instanceof VaultError && err.status === 403)
        return { ok: false, cause: `the Vault token of ${conn.tokenFrom} is refused by ${at()} (permission denied): give a valid token` };
      throw err;
    }
    const expire = self?.expire_time;
    if (typeof expire === 'string' && Date.parse(expire) <= Date.now())
      return { ok: false, cause: `the Vault token of ${conn.tokenFrom} expired at ${expire}: renew it or log in again` };
    const keyed = cls.keyFor(p.line.options.extra);
    const notes = conn.insecure ? { note: INSECURE_WARNING } : {};
    if (keyed === undefined) return { ok: true, detail: `Vault at ${at()}: unsealed, token valid`, ...notes };
    const k = keyed.key;
    let data: Record<string, unknown> | undefined;
    try {
      data = (await client.call('GET', `${k.mount}/keys/${k.name}`))?.data;
    } catch (err) {
      if (missingRoute(err))
        return {
          ok: false,
          cause: `Vault at ${at()} has no mount ${k.mount}/${conn.namespace === undefined ? '' : ` in namespace ${conn.namespace}`}: enable it with pylogen vault setup --keys ${keyed.file.label}`,
        };
      if (err instanceof VaultError && err.status === 404) data = undefined;
      else if (err instanceof VaultError && err.status === 403)
        return { ok: false, cause: `the token may not read ${k.mount}/keys/${k.name} at ${at()} (permission denied): its policy needs read on that path` };
      else throw err;
    }
    if (data === undefined)
      return {
        ok: false,
        cause: `Vault at ${at()} has no key ${k.mount}/keys/${k.name} (key "${k.entry}" of ${keyed.file.label}): create it with pylogen vault setup --keys ${keyed.file.label}`,
      };
    const type = String(data.type);
    if (type !== k.type || !keyFits(k.type, cls.vault.use)) {
      return { ok: false, cause: `the key ${k.mount}/keys/${k.name} at ${at()} is ${type}, but key "${k.entry}" of ${keyed.file.label} says ${k.type}` };
    }
    return {
      ok: true,
      detail: `Vault at ${at()}: unsealed, token valid, key ${k.mount}/${k.name} (${type}, version ${String(data.latest_version)})`,
      ...notes,
    };
  } catch (err) {
    const notVault = (err as { notVault?: string } | null)?.notVault;
    if (notVault !== undefined) return { ok: false, cause: `${at()}: does not speak the Vault API (${notVault})` };
    // The client's error says when the scheme is not the server's (transport/scheme.ts).
    if (schemeMismatch(err) !== undefined) return { ok: false, cause: `Vault at ${at()}: ${(err as Error).message}` };
    return { ok: false, cause: `Vault at ${at()}: ${describeError(err)}` };
  } finally {
    client?.close();
  }
}

export function preflightVault(lines: readonly PreflightLine[]): Promise<PreflightOutcome[]> {
  return Promise.all(lines.map(preflightLine));
}
