/**
 * `pylogen gcp setup`: makes a key file's key ring and keys exist on Cloud KMS (or an emulator):
 * creates the key ring, each missing CryptoKey (purpose, algorithm, protection level) and the
 * versions up to the entry's `version`; checks what exists (purpose, algorithm, protection level,
 * version enabled). It never deletes anything: Cloud KMS cannot delete a key ring or a key (a
 * version can only be scheduled for destruction), so setup only ever adds.
 */
import { packageRoot } from '../core/paths.js';
import { ALGORITHM_INFO } from './algorithms.js';
import { gcpAdvice } from './advice.js';
import { callOptions, parseGcpEndpoint, type GcpTransport } from './endpoint.js';
import { gcpErrorType } from './errorType.js';
import { cryptoKeyName, keyRingName, loadGcpKeyFile, locationName, versionName } from './keyfile.js';
import { parseKmsOptions } from '../command/kmsOptions.js';
import { GCP_SETUP_OPTIONS } from './options.js';
import { UsageError } from '../core/errors.js';

export interface GcpSetupIO {
  stdout?: (t: string) => void;
  stderr?: (t: string) => void;
}

const notFound = (err: unknown): boolean => gcpErrorType(err) === 'NOT_FOUND';

export async function gcpSetup(positionals: readonly string[], raw: Readonly<Record<string, string>>, cwd: string, io: GcpSetupIO = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const v = parseKmsOptions('setup', positionals, raw, GCP_SETUP_OPTIONS, 'gcp');
  const endpoint = v.maybeText('endpoint') ?? '';
  const parsed = parseGcpEndpoint(endpoint);
  if (parsed !== undefined && 'problem' in parsed) throw new UsageError(`--endpoint: ${parsed.problem}`);
  const file = loadGcpKeyFile(v.text('keys'), cwd, packageRoot);
  const timeoutMs = Math.round(v.num('timeout') * 1000);
  const call = callOptions({ timeoutMs, retries: v.num('retries') });
  const { createGcpClient } = await import('./client.js');
  const client = createGcpClient({ endpoint, transport: v.text('client') as GcpTransport, timeoutMs, retries: v.num('retries') });
  const where = endpoint || 'cloudkms.googleapis.com';
  let created = 0;
  let problems = 0;
  try {
    const ring = keyRingName(file);
    try {
      await client.getKeyRing({ name: ring }, call);
      out(`key ring ${ring}: exists\n`);
    } catch (e) {
      if (!notFound(e)) throw e;
      await client.createKeyRing({ parent: locationName(file), keyRingId: file.keyRing, keyRing: {} }, call);
      out(`key ring ${ring}: created\n`);
    }
    for (const entry of file.entries.values()) {
      const name = cryptoKeyName(file, entry);
      let versions = 0;
      try {
        const [key] = await client.getCryptoKey({ name }, call);
        const t = key.versionTemplate;
        const bad = [
          key.purpose !== entry.purpose ? `purpose ${key.purpose}, not ${entry.purpose}` : '',
          t?.algorithm !== entry.algorithm ? `algorithm ${t?.algorithm}, not ${entry.algorithm}` : '',
          t?.protectionLevel !== entry.protectionLevel ? `protection level ${t?.protectionLevel}, not ${entry.protectionLevel}` : '',
        ].filter((s) => s !== '');
        if (bad.length > 0) {
          problems++;
          out(`key "${entry.name}" (${name}): exists with ${bad.join(', ')}: use another cryptoKey id in ${file.label} (keys cannot be deleted)\n`);
          continue;
        }
        const [listed] = await client.listCryptoKeyVersions({ parent: name }, { ...call, autoPaginate: true });
        versions = listed.length;
      } catch (e) {
        if (!notFound(e)) throw e;
        await client.createCryptoKey(
          {
            parent: keyRingName(file),
            cryptoKeyId: entry.cryptoKey,
            cryptoKey: { purpose: entry.purpose, versionTemplate: { algorithm: entry.algorithm, protectionLevel: entry.protectionLevel } },
          },
          call,
        );
        versions = 1;
        created++;
      }
      while (versions < entry.version) {
        await client.createCryptoKeyVersion({ parent: name, cryptoKeyVersion: {} }, call);
        versions++;
      }
      const [version] = await client.getCryptoKeyVersion({ name: versionName(file, entry) }, call);
      const state =
        version.state === 'ENABLED'
          ? 'ENABLED'
          : `${version.state}: enable it (gcloud kms keys versions enable ${entry.version} --key ${entry.cryptoKey} --keyring ${file.keyRing} --location ${file.location})`;
      if (version.state !== 'ENABLED') problems++;
      out(
        `key "${entry.name}" (${ALGORITHM_INFO[entry.algorithm].purpose} ${entry.algorithm} ${entry.protectionLevel}): ${versionName(file, entry)} ${state}\n`,
      );
    }
  } catch (e) {
    err(`gcp setup: ${gcpAdvice(e, 'a call', where)}\n`);
    await client.close();
    return 1;
  }
  await client.close();
  out(
    `${file.entries.size} keys of ${file.path} on ${where}: ${created} created, ${problems} with problems (gcp setup never deletes: Cloud KMS keys cannot be deleted)\n`,
  );
  return problems > 0 ? 1 : 0;
}
