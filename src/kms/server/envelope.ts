import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';

/**
 * The embedded server's symmetric ciphertext blob, AES-256-GCM:
 *
 *   0      1 byte    format version (1)
 *   1..16  16 bytes  the key's blob id, so Decrypt finds the key without a KeyId, as in AWS
 *   17..28 12 bytes  IV
 *   29..44 16 bytes  GCM tag
 *   45..   ciphertext
 *
 * The AAD is the 17-byte header plus the canonical encryption context, so a blob whose key id was
 * altered, or one decrypted with another context, fails authentication.
 */
const VERSION = 1;
const HEADER = 17;
const IV = 12;
const TAG = 16;
export const SYMMETRIC_OVERHEAD = HEADER + IV + TAG;

function aad(blob: Buffer, context: string | undefined): Buffer {
  const header = blob.subarray(0, HEADER);
  return context === undefined ? header : Buffer.concat([header, Buffer.from(context)]);
}

export function sealSymmetric(secret: KeyObject, blobId: Buffer, plaintext: Buffer, context: string | undefined): Buffer {
  const blob = Buffer.allocUnsafe(SYMMETRIC_OVERHEAD + plaintext.length);
  blob[0] = VERSION;
  blobId.copy(blob, 1);
  randomFillSync(blob, HEADER, IV);
  const cipher = createCipheriv('aes-256-gcm', secret, blob.subarray(HEADER, HEADER + IV));
  cipher.setAAD(aad(blob, context));
  const body = cipher.update(plaintext);
  body.copy(blob, SYMMETRIC_OVERHEAD);
  const tail = cipher.final(); // empty for GCM, kept for correctness
  tail.copy(blob, SYMMETRIC_OVERHEAD + body.length);
  cipher.getAuthTag().copy(blob, HEADER + IV);
  return blob;
}

/** The blob id of a blob in this format, or undefined when it is not one. */
export function symmetricBlobId(blob: Buffer): Buffer | undefined {
  if (blob.length <= SYMMETRIC_OVERHEAD || blob[0] !== VERSION) return undefined;
  return blob.subarray(1, HEADER);
}

/** The plaintext, or undefined when authentication fails (wrong key, context, or a tampered blob). */
export function openSymmetric(secret: KeyObject, blob: Buffer, context: string | undefined): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, blob.subarray(HEADER, HEADER + IV));
    decipher.setAAD(aad(blob, context));
    decipher.setAuthTag(blob.subarray(HEADER + IV, SYMMETRIC_OVERHEAD));
    const head = decipher.update(blob.subarray(SYMMETRIC_OVERHEAD));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return undefined;
  }
}
