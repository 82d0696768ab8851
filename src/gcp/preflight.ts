/**
 * The preflight of the CloudKms lines: before anything is forked, one GetCryptoKeyVersion per line
 * with the client its runners will use (same endpoint, same transport): the key version exists, is
 * ENABLED and has the algorithm the key file says (so, the purpose the CUT needs). No credentials,
 * no permission, a missing key: one line naming the fix.
 */
import { packageRoot } from '../core/paths.js';
import type { PreflightLine, PreflightOutcome } from '../protocols/Protocol.js';
import { gcpAdvice } from './advice.js';
import { callOptions, type GcpTransport } from './endpoint.js';
import type { GcpCutSpec, GcpExtra } from './GcpCut.js';
import { loadGcpKeyFile, versionName } from './keyfile.js';

export async function gcpPreflight(lines: readonly PreflightLine[]): Promise<PreflightOutcome[]> {
  const { createGcpClient } = await import('./client.js');
  const out: PreflightOutcome[] = [];
  for (const pl of lines) {
    const spec = (pl.cls as { gcp: GcpCutSpec }).gcp;
    if (spec.defaultKey === undefined) {
      out.push({ ok: true, detail: 'no key to check' });
      continue;
    }
    const extra = pl.line.options.extra as GcpExtra;
    const file = loadGcpKeyFile(extra.file, process.cwd(), packageRoot);
    const entry = file.entries.get(extra.key ?? spec.defaultKey)!;
    const name = versionName(file, entry);
    const transport: GcpTransport = (pl.line.options.client as string) === 'rest' ? 'rest' : 'grpc';
    const timeoutMs = Math.max(1, Math.round(pl.line.options.timeout * 1000));
    const saved = applyEnv(pl.env);
    const client = createGcpClient({ endpoint: pl.endpoint, transport, timeoutMs, retries: 0 });
    const where = pl.endpoint || 'cloudkms.googleapis.com';
    try {
      // The credentials first: a client whose credentials failed leaves one unhandled rejection per call (google-gax).
      await client.initialize();
      const [v] = await client.getCryptoKeyVersion({ name }, callOptions({ timeoutMs, retries: 0 }));
      if (v.state !== 'ENABLED')
        out.push({
          ok: false,
          cause: `key "${entry.name}": ${name} at ${where} is ${v.state}, not ENABLED: enable it (gcloud kms keys versions enable ${entry.version} --key ${entry.cryptoKey} --keyring ${file.keyRing} --location ${file.location})`,
        });
      else if (v.algorithm !== entry.algorithm)
        out.push({ ok: false, cause: `key "${entry.name}": ${name} at ${where} is ${v.algorithm}, but ${file.label} says ${entry.algorithm}` });
      else out.push({ ok: true, detail: `${name} ${v.algorithm} ${v.protectionLevel} ENABLED (${transport})` });
    } catch (err) {
      out.push({ ok: false, cause: `key "${entry.name}": ${gcpAdvice(err, `GetCryptoKeyVersion of ${name}`, where)}` });
    } finally {
      // A REST client whose credentials failed rejects its close() with the same error: said above already.
      await client.close().catch(() => undefined);
      restoreEnv(saved);
    }
  }
  return out;
}

/** The target's variables (no metadata probe) while the preflight's client runs. */
function applyEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return saved;
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
