import { KmsError, invalidMember, serialization, unsupported, validation } from '../errors.js';
import { optBool, optEnum, optInt, optString, optStringList, reqString, type Json } from '../input.js';
import type { KeyStore } from '../store.js';
import { AWS_KEY_SPECS, AWS_KEY_USAGES, isOneOf, KEY_SPECS, KEY_USAGES, SPEC_INFO, type KeyUsage } from '../../model/specs.js';

/** The key-management operations of the embedded server: keys, aliases and public keys. */

const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];

function optText(input: Json, member: string, max: number): string | undefined {
  // Description and Policy may be empty, unlike most strings of the API.
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw serialization(`${member} must be a string`);
  if (v.length > max) throw invalidMember(member, null, `Member must have length less than or equal to ${max}`);
  return v;
}

export async function createKey(input: Json, store: KeyStore): Promise<Json> {
  optText(input, 'Policy', 32768);
  const description = optText(input, 'Description', 8192);
  const keySpec = optEnum(input, 'KeySpec', AWS_KEY_SPECS);
  const cmkSpec = optEnum(input, 'CustomerMasterKeySpec', AWS_KEY_SPECS);
  const usageIn = optEnum(input, 'KeyUsage', AWS_KEY_USAGES);
  const origin = optEnum(input, 'Origin', ORIGINS) ?? 'AWS_KMS';
  const multiRegion = optBool(input, 'MultiRegion');
  optBool(input, 'BypassPolicyLockoutSafetyCheck');
  if (input.Tags !== undefined && input.Tags !== null && !Array.isArray(input.Tags)) throw serialization('Tags must be a list');
  if (keySpec !== undefined && cmkSpec !== undefined) {
    throw validation(
      'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec only.',
    );
  }
  const spec = keySpec ?? cmkSpec ?? 'SYMMETRIC_DEFAULT';
  if (!isOneOf(KEY_SPECS, spec)) throw unsupported(`KeySpec ${spec} is not supported by the pylogen embedded server`);
  if (origin !== 'AWS_KMS') throw unsupported(`Origin ${origin} is not supported by the pylogen embedded server`);
  if (multiRegion === true) throw unsupported('Multi-Region keys are not supported by the pylogen embedded server');
  for (const member of ['CustomKeyStoreId', 'XksKeyId']) {
    if (input[member] !== undefined && input[member] !== null) throw unsupported(`${member} is not supported by the pylogen embedded server`);
  }
  const info = SPEC_INFO[spec];
  let usage: KeyUsage;
  if (usageIn === undefined) {
    if (info.family !== 'symmetric') throw validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    usage = 'ENCRYPT_DECRYPT';
  } else if (!isOneOf(KEY_USAGES, usageIn)) {
    throw unsupported(`KeyUsage ${usageIn} is not supported by the pylogen embedded server`);
  } else {
    usage = usageIn;
  }
  if (!info.usages.includes(usage)) throw validation(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  const key = await store.createKey(description === undefined ? { spec, usage } : { spec, usage, description });
  return { KeyMetadata: key.metadata };
}

export function describeKey(input: Json, store: KeyStore): Json {
  optStringList(input, 'GrantTokens', 10);
  return { KeyMetadata: store.resolve(reqString(input, 'KeyId')).metadata };
}

/** Markers are the decimal index of the next item: opaque to clients, as AWS's are. */
function page<T>(input: Json, items: T[]): { items: T[]; NextMarker?: string; Truncated: boolean } {
  const limit = optInt(input, 'Limit', 1, 1000) ?? 100;
  const marker = optString(input, 'Marker', 1024);
  let start = 0;
  if (marker !== undefined) {
    if (!/^\d{1,9}$/.test(marker))
      throw new KmsError(
        'InvalidMarkerException',
        'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
      );
    start = Number(marker);
  }
  const slice = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return truncated ? { items: slice, NextMarker: String(start + limit), Truncated: true } : { items: slice, Truncated: false };
}

export function listKeys(input: Json, store: KeyStore): Json {
  const { items, ...rest } = page(input, [...store.keys.values()]);
  return { Keys: items.map((k) => ({ KeyId: k.id, KeyArn: k.arn })), ...rest };
}

export function listAliases(input: Json, store: KeyStore): Json {
  const keyRef = optString(input, 'KeyId');
  let aliases = [...store.aliases.values()];
  if (keyRef !== undefined) {
    if (keyRef.startsWith('alias/') || keyRef.includes(':alias/')) throw validation('KeyId must be a key id or a key ARN, not an alias');
    const key = store.resolve(keyRef);
    aliases = aliases.filter((a) => a.keyId === key.id);
  }
  const { items, ...rest } = page(input, aliases);
  return {
    Aliases: items.map((a) => ({
      AliasName: a.name,
      AliasArn: store.aliasArn(a.name),
      TargetKeyId: a.keyId,
      CreationDate: a.created,
      LastUpdatedDate: a.created,
    })),
    ...rest,
  };
}

export function createAlias(input: Json, store: KeyStore): Json {
  const name = reqString(input, 'AliasName', 256);
  const target = reqString(input, 'TargetKeyId');
  if (!/^[a-zA-Z0-9:/_-]+$/.test(name)) {
    throw invalidMember('AliasName', name, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$');
  }
  if (!name.startsWith('alias/') || name.length === 'alias/'.length)
    throw new KmsError('InvalidAliasNameException', `Alias must start with the prefix "alias/": ${name}`);
  if (name.startsWith('alias/aws/'))
    throw new KmsError('InvalidAliasNameException', 'Alias names that begin with "alias/aws/" are reserved for AWS managed keys');
  if (target.startsWith('alias/') || target.includes(':alias/')) throw validation('Aliases must refer to keys. Not aliases');
  const key = store.resolve(target);
  store.addAlias(name, key.id);
  return {};
}

export function getPublicKey(input: Json, store: KeyStore): Json {
  optStringList(input, 'GrantTokens', 10);
  const key = store.resolve(reqString(input, 'KeyId'));
  const m = key.material;
  if (m.family !== 'rsa' && m.family !== 'ecc') throw unsupported(`${key.arn} is not an asymmetric key: GetPublicKey is only valid for asymmetric KMS keys`);
  const out: Json = {
    KeyId: key.arn,
    PublicKey: m.spki.toString('base64'),
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    KeyUsage: key.usage,
  };
  if (key.algorithms.signing.length > 0) out.SigningAlgorithms = key.algorithms.signing;
  if (key.algorithms.encryption.length > 0) out.EncryptionAlgorithms = key.algorithms.encryption;
  return out;
}
