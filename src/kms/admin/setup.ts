import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, ScheduleKeyDeletionCommand, type KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';
import { describeError, Problems } from '../../core/errors.js';
import { keyRef, type KeyEntry } from '../model/keyfile.js';

/**
 * `pylogen kms setup`: makes the keys of a key file exist on a target, AWS KMS included. An entry
 * whose alias resolves is left alone (after checking that its key is of the right kind); an entry
 * whose alias does not resolve gets a new key and the alias; an entry with a fixed keyId is only
 * checked. IAM permissions used: kms:DescribeKey, kms:CreateKey, kms:CreateAlias, and
 * kms:ScheduleKeyDeletion (only to clean up after losing a race for an alias).
 */
async function describe(client: KMSClient, ref: string): Promise<KeyMetadata | undefined> {
  try {
    return (await client.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata;
  } catch (err) {
    if ((err as Error).name === 'NotFoundException') return undefined;
    throw err;
  }
}

function mismatch(entry: KeyEntry, meta: KeyMetadata): string | undefined {
  const spec = meta.KeySpec ?? meta.CustomerMasterKeySpec;
  if (spec !== entry.keySpec || meta.KeyUsage !== entry.keyUsage) {
    return `is a ${spec} ${meta.KeyUsage} key, but the key file says ${entry.keySpec} ${entry.keyUsage}`;
  }
  if (meta.KeyState !== undefined && meta.KeyState !== 'Enabled') return `is ${meta.KeyState}, not Enabled`;
  return undefined;
}

export async function setupKeys(client: KMSClient, entries: KeyEntry[], log: (line: string) => void): Promise<{ existing: string[]; created: string[] }> {
  const existing: string[] = [];
  const created: string[] = [];
  const problems = new Problems();
  for (const entry of entries) {
    const ref = keyRef(entry);
    const meta = await describe(client, ref);
    if (meta !== undefined) {
      const wrong = mismatch(entry, meta);
      if (wrong !== undefined) problems.add(`key "${entry.name}": ${ref} ${wrong}`);
      else log(`key "${entry.name}": ${ref} exists (${meta.KeyId}, ${entry.keySpec} ${entry.keyUsage})`);
      existing.push(entry.name);
      continue;
    }
    if (entry.keyId !== undefined || entry.alias === undefined) {
      problems.add(`key "${entry.name}": ${ref} does not exist on the target (a fixed keyId is only checked, never created)`);
      continue;
    }
    const made = await client.send(
      new CreateKeyCommand({ KeySpec: entry.keySpec, KeyUsage: entry.keyUsage, Description: entry.description ?? `pylogen ${entry.name}` }),
    );
    const keyId = made.KeyMetadata?.KeyId as string;
    try {
      await client.send(new CreateAliasCommand({ AliasName: entry.alias, TargetKeyId: keyId }));
    } catch (err) {
      if ((err as Error).name !== 'AlreadyExistsException') throw err;
      // Another setup created the alias meanwhile: use its key and retire the one made here.
      log(`key "${entry.name}": ${entry.alias} was created concurrently; scheduling deletion of the unused key ${keyId}`);
      await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })).catch((e: unknown) => {
        log(`key "${entry.name}": could not schedule the deletion of ${keyId}: ${describeError(e)}`);
      });
      existing.push(entry.name);
      continue;
    }
    log(`key "${entry.name}": created ${keyId} (${entry.keySpec} ${entry.keyUsage}) with alias ${entry.alias}`);
    created.push(entry.name);
  }
  problems.throwIfAny('kms setup: ');
  return { existing, created };
}
