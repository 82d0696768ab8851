/**
 * Checks shared by the KMS CUTs' static validate(): what KMS would refuse at every request (a
 * plaintext too long for the key, a RAW message over 4096 bytes, an encryption context with an RSA
 * key) is refused before the run instead, one line each, naming the option, the key and the value.
 */
import type { KmsCutSpec } from './KmsCut.js';
import type { CutPlanView } from '../../cut/ClassUnderTest.js';
import { encryptionAlgorithmOf, isSymmetric, MAX_MESSAGE, maxPlaintext, signingAlgorithmOf, signingDigestOf } from '../model/keyAlgorithms.js';
import type { KeyEntry } from '../model/keyfile.js';
import { lengthProblem } from '../model/lengthLimits.js';
import { signingHash } from '../model/specs.js';

const describeKey = (key: KeyEntry, alg?: string): string =>
  `key "${key.name}" (${key.keySpec}${alg !== undefined && alg !== 'SYMMETRIC_DEFAULT' ? `, ${alg}` : ''})`;

/** --lengths against Encrypt with each key: 1 to 4096 bytes, or what one RSA OAEP block holds. */
export function plaintextProblems(lengths: readonly number[], keys: readonly KeyEntry[], op = 'Encrypt with'): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const p = lengthProblem(lengths, 1, maxPlaintext(key), `${op} ${describeKey(key, encryptionAlgorithmOf(key))}`);
    if (p !== undefined && !out.includes(p)) out.push(p);
  }
  return out;
}

/** The --extra "context" line of the CUTs that take one. */
export const CONTEXT_EXTRA = 'an encryption context, an object of strings like {"purpose":"test"} (symmetric keys only; default none)';

/** --extra "context": an encryption context, a JSON object of strings, for symmetric keys only. */
export function contextProblems(context: unknown, keys: readonly KeyEntry[]): string[] {
  if (context === undefined) return [];
  if (typeof context !== 'object' || context === null || Array.isArray(context) || Object.values(context).some((v) => typeof v !== 'string')) {
    return [`--extra: "context" must be an encryption context, an object of strings like {"purpose":"test"}, but is ${JSON.stringify(context)}`];
  }
  const rsa = keys.find((k) => !isSymmetric(k));
  if (rsa !== undefined)
    return [`--extra: "context" only applies to symmetric keys, and ${describeKey(rsa)} is not one (KMS refuses an encryption context with RSA keys)`];
  return [];
}

export type MessageType = 'DIGEST' | 'RAW';

/**
 * --extra "messageType" of the signing CUTs ("DIGEST", the default: the digest is computed locally
 * with the key's sha, as PYLOGEN does; or "RAW": KMS hashes the message, at most 4096 bytes), and
 * the key's sha against its algorithm (KMS refuses a digest of another length).
 */
export function signingProblems(plan: CutPlanView, key: KeyEntry): string[] {
  const problems: string[] = [];
  const type = plan.extra.messageType;
  if (type !== undefined && type !== 'DIGEST' && type !== 'RAW') {
    problems.push(`--extra: "messageType" must be "DIGEST" or "RAW", but is ${JSON.stringify(type)}`);
  }
  const alg = signingAlgorithmOf(key);
  if (signingDigestOf(key) !== signingHash(alg)) {
    problems.push(`--extra "key": key "${key.name}" has sha "${key.sha}", but its algorithm ${alg} needs "${signingHash(alg)}"`);
  }
  if (type === 'RAW') {
    const p = lengthProblem(plan.lengths, 1, MAX_MESSAGE, `Sign of a RAW message with ${describeKey(key, alg)}`);
    if (p !== undefined) problems.push(p);
  }
  return problems;
}

export function messageTypeOf(extra: { messageType?: unknown }): MessageType {
  return extra.messageType === 'RAW' ? 'RAW' : 'DIGEST';
}

/**
 * The spec of a CUT that encrypts the payload with its key, and its checks (KmsEncryptSymmetric,
 * KmsDecrypt, KmsEncryptDecrypt): `static override readonly kms = ENCRYPTING_CUT`.
 */
export const ENCRYPTING_CUT: KmsCutSpec = {
  defaultKey: 'symmetric1',
  usage: 'ENCRYPT_DECRYPT',
  extras: { context: CONTEXT_EXTRA },
  check: (plan, key) => [...plaintextProblems(plan.lengths, [key!]), ...contextProblems(plan.extra.context, [key!])],
};

/** The spec of a CUT that signs with its key (KmsSignature, KmsVerify; KmsSignLocalVerify with another key). */
export const SIGNING_CUT: KmsCutSpec = {
  defaultKey: 'signature384',
  usage: 'SIGN_VERIFY',
  extras: { messageType: 'DIGEST (the digest is computed locally, the default) or RAW (the message itself, at most 4096 bytes)' },
  check: (plan, key) => signingProblems(plan, key!),
};
