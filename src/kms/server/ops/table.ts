import type { Json } from '../input.js';
import {
  decrypt,
  encrypt,
  generateDataKey,
  generateDataKeyWithoutPlaintext,
  generateMac,
  generateRandom,
  reEncrypt,
  signOp,
  verifyMac,
  verifyOp,
} from './crypto.js';
import { createAlias, createKey, describeKey, getPublicKey, listAliases, listKeys } from './keys.js';
import type { KeyStore } from '../store.js';

/** One operation: the parsed JSON body in, the response structure out (or a thrown KmsError). */
export type Handler = (input: Json, store: KeyStore) => Json | Promise<Json>;

/** The operations the embedded server implements, by their X-Amz-Target name. */
export const OPERATIONS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['CreateKey', createKey],
  ['DescribeKey', describeKey],
  ['ListKeys', listKeys],
  ['CreateAlias', createAlias],
  ['ListAliases', listAliases],
  ['GetPublicKey', getPublicKey],
  ['Encrypt', encrypt],
  ['Decrypt', decrypt],
  ['ReEncrypt', reEncrypt],
  ['GenerateDataKey', generateDataKey],
  ['GenerateDataKeyWithoutPlaintext', generateDataKeyWithoutPlaintext],
  ['GenerateRandom', generateRandom],
  ['Sign', signOp],
  ['Verify', verifyOp],
  ['GenerateMac', generateMac],
  ['VerifyMac', verifyMac],
]);

/**
 * The other operations of the AWS KMS API: a client calling one of them gets
 * UnsupportedOperationException (the API exists, this server does not do it) rather than
 * UnknownOperationException (no such API).
 */
export const OTHER_AWS_OPERATIONS: ReadonlySet<string> = new Set([
  'CancelKeyDeletion',
  'ConnectCustomKeyStore',
  'CreateCustomKeyStore',
  'CreateGrant',
  'DeleteAlias',
  'DeleteCustomKeyStore',
  'DeleteImportedKeyMaterial',
  'DeriveSharedSecret',
  'DescribeCustomKeyStores',
  'DisableKey',
  'DisableKeyRotation',
  'DisconnectCustomKeyStore',
  'EnableKey',
  'EnableKeyRotation',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GetKeyPolicy',
  'GetKeyRotationStatus',
  'GetParametersForImport',
  'ImportKeyMaterial',
  'ListGrants',
  'ListKeyPolicies',
  'ListKeyRotations',
  'ListResourceTags',
  'ListRetirableGrants',
  'PutKeyPolicy',
  'ReplicateKey',
  'RetireGrant',
  'RevokeGrant',
  'RotateKeyOnDemand',
  'ScheduleKeyDeletion',
  'TagResource',
  'UntagResource',
  'UpdateAlias',
  'UpdateCustomKeyStore',
  'UpdateKeyDescription',
  'UpdatePrimaryRegion',
]);
