/**
 * Makes the keys of a KMIP key file exist on a server, as `kms setup` does for KMS: an entry whose
 * Name is found (Locate) is checked (object type, algorithm, length, Active) and left alone; an
 * entry whose Name is not found is created and activated (AES: Create; RSA: CreateKeyPair, the
 * public key named `<name>-public`; HMAC: Register of random bytes, since PyKMIP's Create makes
 * block-cipher keys only); an entry with a fixed uid is only checked. Used by `pylogen kmip setup`
 * and by `--endpoint pykmip` on its throwaway server.
 */
import { randomBytes } from 'node:crypto';
import { Problems } from '../core/errors.js';
import type { KmipClient } from './KmipClient.js';
import { ALGORITHM_OF, USAGE_MASK_OF, type KmipKeyEntry } from './keyfile.js';
import { ObjectType, State } from './tags.js';

const STATE_NAMES: Record<number, string> = { 1: 'Pre-Active', 2: 'Active', 3: 'Deactivated', 4: 'Compromised', 5: 'Destroyed' };

async function check(client: KmipClient, entry: KmipKeyEntry, uid: string): Promise<string | undefined> {
  const got = await client.get(uid);
  const wantType = entry.type === 'RSA' ? ObjectType.PrivateKey : ObjectType.SymmetricKey;
  if (got.objectType !== wantType)
    return `${uid} is object type ${got.objectType}, not ${wantType === ObjectType.PrivateKey ? 'a private key' : 'a symmetric key'}`;
  if (got.algorithm !== undefined && got.algorithm !== ALGORITHM_OF[entry.type])
    return `${uid} has cryptographic algorithm ${got.algorithm}, not ${entry.type}`;
  if (got.length !== undefined && got.length !== entry.length) return `${uid} is ${got.length} bits long, not ${entry.length}`;
  const state = await client.state(uid);
  if (state !== undefined && state !== State.Active) return `${uid} is ${STATE_NAMES[state] ?? `in state ${state}`}, not Active`;
  return undefined;
}

export async function setupKmipKeys(
  client: KmipClient,
  entries: KmipKeyEntry[],
  log: (line: string) => void,
): Promise<{ existing: string[]; created: string[] }> {
  const existing: string[] = [];
  const created: string[] = [];
  const problems = new Problems();
  for (const entry of entries) {
    const at = `key "${entry.name}"`;
    let uid = entry.uid;
    if (uid === undefined) {
      const found = await client.locate(entry.kmipName!);
      uid = found[0];
      if (found.length > 1) log(`${at}: ${found.length} objects are named ${entry.kmipName}; the CUTs use the first, ${uid}`);
    }
    if (uid !== undefined) {
      const wrong = await check(client, entry, uid);
      if (wrong !== undefined) problems.add(`${at}: ${wrong}`);
      else log(`${at}: ${entry.kmipName ?? uid} exists (${uid}, ${entry.type}-${entry.length})`);
      existing.push(entry.name);
      continue;
    }
    if (entry.kmipName === undefined) continue;
    const template = { algorithm: ALGORITHM_OF[entry.type], length: entry.length, usageMask: USAGE_MASK_OF[entry.usage], name: entry.kmipName };
    let made: string;
    if (entry.type === 'AES') made = await client.createSymmetric(template);
    else if (entry.type === 'RSA') {
      const pair = await client.createKeyPair(template);
      made = `${pair.privateKey}, public key ${pair.publicKey}`;
    } else made = await client.registerSymmetric(template, randomBytes(entry.length / 8));
    log(`${at}: created ${made} (${entry.type}-${entry.length}) named ${entry.kmipName}, activated`);
    created.push(entry.name);
  }
  problems.throwIfAny('kmip setup: ');
  return { existing, created };
}
