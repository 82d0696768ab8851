import { constants, createHmac, privateDecrypt, publicEncrypt, randomBytes, timingSafeEqual } from 'node:crypto';
import { KmsError, invalidKeyUsage, unsupported, validation } from '../errors.js';
import { openSymmetric, sealSymmetric, symmetricBlobId } from '../envelope.js';
import { optBool, optContext, optEnum, optInt, optStringList, reqBlob, reqEnum, reqString, type Json } from '../input.js';
import type { KmsKey } from '../keys.js';
import { signMessage, verifyMessage } from '../signing/sign.js';
import type { KeyStore } from '../store.js';
import {
  AWS_ENCRYPTION_ALGORITHMS,
  AWS_SIGNING_ALGORITHMS,
  HASH_BYTES,
  MAC_ALGORITHMS,
  macHash,
  signingHash,
  type EncryptionAlgorithm,
  type KeyUsage,
  type MacAlgorithm,
  type SigningAlgorithm,
} from '../../model/specs.js';

/**
 * The cryptographic operations of the embedded server. Each takes the parsed JSON body and answers
 * the response structure of the AWS KMS API reference, with blobs as base64 strings, or throws a
 * KmsError of the type AWS answers in that case.
 */

// Model constraints of the AWS KMS API (PlaintextType, CiphertextType, message and MAC sizes).
const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;
const MAX_MESSAGE = 4096;
const MAX_MAC = 6144;
const MAX_GRANT_TOKENS = 10;

const b64 = (b: Buffer): string => b.toString('base64');

function common(input: Json): void {
  optStringList(input, 'GrantTokens', MAX_GRANT_TOKENS);
  if (input.Recipient !== undefined && input.Recipient !== null) {
    throw unsupported('Recipient (attested requests from a Nitro enclave) is not supported by the pylogen embedded server');
  }
}

/** Checked last, after every validation, as AWS does: DryRun tells whether the call would succeed. */
function dryRun(input: Json): void {
  if (optBool(input, 'DryRun') === true) {
    throw new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.', 412);
  }
}

function requireUsage(key: KmsKey, usage: KeyUsage, op: string): void {
  if (key.usage !== usage) throw invalidKeyUsage(`${key.arn} key usage is ${key.usage} which is not valid for ${op}.`);
}

function incompatible(alg: string, key: KmsKey): KmsError {
  return invalidKeyUsage(`Algorithm ${alg} is incompatible with key spec ${key.spec}.`);
}

function oaepHash(alg: EncryptionAlgorithm): 'sha1' | 'sha256' {
  return alg === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';
}

function encryptWith(
  key: KmsKey,
  plaintext: Buffer,
  context: string | undefined,
  algorithm: string | undefined,
  op: string,
): { blob: Buffer; alg: EncryptionAlgorithm } {
  requireUsage(key, 'ENCRYPT_DECRYPT', op);
  const alg = (algorithm ?? 'SYMMETRIC_DEFAULT') as EncryptionAlgorithm;
  if (!key.algorithms.encryption.includes(alg)) throw incompatible(alg, key);
  const m = key.material;
  if (m.family === 'symmetric') return { blob: sealSymmetric(m.secret, key.blobId, plaintext, context), alg };
  if (m.family !== 'rsa') throw incompatible(alg, key);
  if (context !== undefined) throw validation('EncryptionContext is not supported with asymmetric KMS keys');
  // RFC 8017 7.1.1: at most k - 2·hLen - 2 bytes fit in one OAEP block.
  const limit = m.bits / 8 - 2 * HASH_BYTES[oaepHash(alg)] - 2;
  if (plaintext.length > limit) {
    throw validation(`Plaintext of ${plaintext.length} bytes is too long for ${alg} with a ${key.spec} key: the limit is ${limit} bytes`);
  }
  const blob = publicEncrypt({ key: m.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) }, plaintext);
  return { blob, alg };
}

function invalidCiphertext(): KmsError {
  return new KmsError('InvalidCiphertextException', 'The ciphertext is invalid, or was encrypted under another key or another encryption context.');
}

function decryptWith(
  store: KeyStore,
  blob: Buffer,
  keyRef: string | undefined,
  context: string | undefined,
  algorithm: string | undefined,
  op: string,
): { key: KmsKey; plaintext: Buffer; alg: EncryptionAlgorithm } {
  const named = keyRef === undefined ? undefined : store.resolve(keyRef);
  const alg = (algorithm ?? 'SYMMETRIC_DEFAULT') as EncryptionAlgorithm;
  if (named !== undefined) {
    requireUsage(named, 'ENCRYPT_DECRYPT', op);
    if (!named.algorithms.encryption.includes(alg)) throw incompatible(alg, named);
    const m = named.material;
    if (m.family === 'rsa') {
      if (context !== undefined) throw validation('EncryptionContext is not supported with asymmetric KMS keys');
      if (blob.length !== m.bits / 8) throw invalidCiphertext();
      try {
        const plaintext = privateDecrypt({ key: m.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) }, blob);
        return { key: named, plaintext, alg };
      } catch {
        throw invalidCiphertext();
      }
    }
  } else if (alg !== 'SYMMETRIC_DEFAULT') {
    // AWS needs the KeyId to decrypt under an asymmetric key: the RSA ciphertext does not name its key.
    throw validation(`KeyId is required to decrypt with ${alg}`);
  }
  const blobId = symmetricBlobId(blob);
  const owner = blobId === undefined ? undefined : store.byBlob(blobId);
  if (owner === undefined || owner.material.family !== 'symmetric') throw invalidCiphertext();
  if (named !== undefined && named !== owner) {
    throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  }
  const plaintext = openSymmetric(owner.material.secret, blob, context);
  if (plaintext === undefined) throw invalidCiphertext();
  return { key: owner, plaintext, alg };
}

export function encrypt(input: Json, store: KeyStore): Json {
  common(input);
  const keyRef = reqString(input, 'KeyId');
  const plaintext = reqBlob(input, 'Plaintext', MAX_PLAINTEXT);
  const context = optContext(input, 'EncryptionContext');
  const algorithm = optEnum(input, 'EncryptionAlgorithm', AWS_ENCRYPTION_ALGORITHMS);
  const key = store.resolve(keyRef);
  const { blob, alg } = encryptWith(key, plaintext, context, algorithm, 'Encrypt');
  dryRun(input);
  return { CiphertextBlob: b64(blob), KeyId: key.arn, EncryptionAlgorithm: alg };
}

export function decrypt(input: Json, store: KeyStore): Json {
  common(input);
  const blob = reqBlob(input, 'CiphertextBlob', MAX_CIPHERTEXT);
  const context = optContext(input, 'EncryptionContext');
  const keyRef = input.KeyId === undefined || input.KeyId === null ? undefined : reqString(input, 'KeyId');
  const algorithm = optEnum(input, 'EncryptionAlgorithm', AWS_ENCRYPTION_ALGORITHMS);
  const { key, plaintext, alg } = decryptWith(store, blob, keyRef, context, algorithm, 'Decrypt');
  dryRun(input);
  return { KeyId: key.arn, Plaintext: b64(plaintext), EncryptionAlgorithm: alg };
}

export function reEncrypt(input: Json, store: KeyStore): Json {
  common(input);
  const blob = reqBlob(input, 'CiphertextBlob', MAX_CIPHERTEXT);
  const destinationRef = reqString(input, 'DestinationKeyId');
  const sourceRef = input.SourceKeyId === undefined || input.SourceKeyId === null ? undefined : reqString(input, 'SourceKeyId');
  const sourceContext = optContext(input, 'SourceEncryptionContext');
  const destinationContext = optContext(input, 'DestinationEncryptionContext');
  const sourceAlgorithm = optEnum(input, 'SourceEncryptionAlgorithm', AWS_ENCRYPTION_ALGORITHMS);
  const destinationAlgorithm = optEnum(input, 'DestinationEncryptionAlgorithm', AWS_ENCRYPTION_ALGORITHMS);
  const destination = store.resolve(destinationRef);
  const source = decryptWith(store, blob, sourceRef, sourceContext, sourceAlgorithm, 'ReEncrypt');
  const { blob: out, alg } = encryptWith(destination, source.plaintext, destinationContext, destinationAlgorithm, 'ReEncrypt');
  dryRun(input);
  return {
    CiphertextBlob: b64(out),
    SourceKeyId: source.key.arn,
    KeyId: destination.arn,
    SourceEncryptionAlgorithm: source.alg,
    DestinationEncryptionAlgorithm: alg,
  };
}

function dataKey(input: Json, store: KeyStore, op: string): { key: KmsKey; plaintext: Buffer; blob: Buffer } {
  common(input);
  const keyRef = reqString(input, 'KeyId');
  const context = optContext(input, 'EncryptionContext');
  const spec = optEnum(input, 'KeySpec', ['AES_256', 'AES_128']);
  const bytes = optInt(input, 'NumberOfBytes', 1, 1024);
  if ((spec === undefined) === (bytes === undefined)) throw validation('Please specify either number of bytes or key spec.');
  const key = store.resolve(keyRef);
  requireUsage(key, 'ENCRYPT_DECRYPT', op);
  if (key.material.family !== 'symmetric') throw invalidKeyUsage(`${key.arn} key spec is ${key.spec} which is not valid for ${op}.`);
  dryRun(input);
  const plaintext = randomBytes(bytes ?? (spec === 'AES_128' ? 16 : 32));
  return { key, plaintext, blob: sealSymmetric(key.material.secret, key.blobId, plaintext, context) };
}

export function generateDataKey(input: Json, store: KeyStore): Json {
  const { key, plaintext, blob } = dataKey(input, store, 'GenerateDataKey');
  return { CiphertextBlob: b64(blob), Plaintext: b64(plaintext), KeyId: key.arn };
}

export function generateDataKeyWithoutPlaintext(input: Json, store: KeyStore): Json {
  const { key, blob } = dataKey(input, store, 'GenerateDataKeyWithoutPlaintext');
  return { CiphertextBlob: b64(blob), KeyId: key.arn };
}

export function generateRandom(input: Json): Json {
  common(input);
  if (input.CustomKeyStoreId !== undefined && input.CustomKeyStoreId !== null) {
    throw new KmsError('CustomKeyStoreNotFoundException', 'The pylogen embedded server has no custom key stores');
  }
  const bytes = optInt(input, 'NumberOfBytes', 1, 1024);
  if (bytes === undefined) throw validation("1 validation error detected: Value null at 'numberOfBytes' failed to satisfy constraint: Member must not be null");
  return { Plaintext: b64(randomBytes(bytes)) };
}

function signingRequest(input: Json, store: KeyStore, op: string): { key: KmsKey; alg: SigningAlgorithm; message: Buffer; isDigest: boolean } {
  common(input);
  const keyRef = reqString(input, 'KeyId');
  const message = reqBlob(input, 'Message', MAX_MESSAGE);
  const algorithm = reqEnum(input, 'SigningAlgorithm', AWS_SIGNING_ALGORITHMS);
  const type = optEnum(input, 'MessageType', ['RAW', 'DIGEST', 'EXTERNAL_MU']) ?? 'RAW';
  const key = store.resolve(keyRef);
  requireUsage(key, 'SIGN_VERIFY', op);
  const alg = algorithm as SigningAlgorithm;
  if (!key.algorithms.signing.includes(alg)) throw incompatible(algorithm, key);
  if (type === 'EXTERNAL_MU') throw validation(`MessageType EXTERNAL_MU is only valid with ML-DSA keys, not with ${key.spec}`);
  const isDigest = type === 'DIGEST';
  // A DIGEST must be exactly as long as the algorithm's hash (the Sign and Verify API reference).
  if (isDigest && message.length !== HASH_BYTES[signingHash(alg)]) throw validation(`Digest is invalid length for algorithm ${alg}.`);
  return { key, alg, message, isDigest };
}

export function signOp(input: Json, store: KeyStore): Json {
  const { key, alg, message, isDigest } = signingRequest(input, store, 'Sign');
  dryRun(input);
  return { KeyId: key.arn, Signature: b64(signMessage(key, alg, message, isDigest)), SigningAlgorithm: alg };
}

export function verifyOp(input: Json, store: KeyStore): Json {
  const { key, alg, message, isDigest } = signingRequest(input, store, 'Verify');
  const signature = reqBlob(input, 'Signature', MAX_CIPHERTEXT);
  dryRun(input);
  // AWS answers an invalid signature with an error, never with SignatureValid: false.
  if (!verifyMessage(key, alg, message, isDigest, signature))
    throw new KmsError('KMSInvalidSignatureException', 'The signature is not valid for this key, message and signing algorithm.');
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: alg };
}

function macRequest(input: Json, store: KeyStore, op: string): { key: KmsKey; alg: MacAlgorithm; mac: Buffer } {
  common(input);
  const message = reqBlob(input, 'Message', MAX_MESSAGE);
  const keyRef = reqString(input, 'KeyId');
  const alg = reqEnum(input, 'MacAlgorithm', MAC_ALGORITHMS) as MacAlgorithm;
  const key = store.resolve(keyRef);
  requireUsage(key, 'GENERATE_VERIFY_MAC', op);
  if (!key.algorithms.mac.includes(alg) || key.material.family !== 'hmac') throw incompatible(alg, key);
  return { key, alg, mac: createHmac(macHash(alg), key.material.secret).update(message).digest() };
}

export function generateMac(input: Json, store: KeyStore): Json {
  const { key, alg, mac } = macRequest(input, store, 'GenerateMac');
  dryRun(input);
  return { Mac: b64(mac), MacAlgorithm: alg, KeyId: key.arn };
}

export function verifyMac(input: Json, store: KeyStore): Json {
  const { key, alg, mac } = macRequest(input, store, 'VerifyMac');
  const given = reqBlob(input, 'Mac', MAX_MAC);
  dryRun(input);
  // As Verify: a wrong MAC is an error, never MacValid: false.
  if (given.length !== mac.length || !timingSafeEqual(given, mac))
    throw new KmsError('KMSInvalidMacException', 'The MAC is not valid for this key, message and MAC algorithm.');
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: alg };
}
