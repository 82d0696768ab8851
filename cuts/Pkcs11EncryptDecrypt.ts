/**
 * An AES-GCM round trip on a PKCS#11 token, transaction ENCRYPT-DECRYPT: C_Encrypt of the payload
 * (request ENCRYPT, a fresh 96-bit IV), then C_Decrypt of the ciphertext and tag with the same IV
 * (request DECRYPT), which must give the payload back (RoundTripMismatch otherwise; a tag the token
 * refuses is CKR_ENCRYPTED_DATA_INVALID). --extra: file, key (an AES encrypt key, default aes256),
 * module, token, async. Lengths: at least 1 (pkcs11js
 * passes an empty buffer as a NULL pointer, which modules refuse with CKR_ARGUMENTS_BAD).
 */
import { exec, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { atLeastOneByte, GCM_TAG_BYTES, gcmMechanism, GcmIv, Pkcs11Cut, type Pkcs11CutSpec } from 'pylogen/pkcs11';

export class Pkcs11EncryptDecrypt extends Pkcs11Cut {
  static override readonly pkcs11: Pkcs11CutSpec = {
    defaultKey: 'aes256',
    usages: ['encrypt'],
    types: ['AES'],
    check: (plan) => atLeastOneByte(plan.lengths, 'C_Encrypt'),
  };

  override transactionName = 'ENCRYPT-DECRYPT';
  private readonly ivs = new GcmIv();

  @exec
  encrypt(req: Request, plaintext: Buffer, iv: Buffer): Buffer | Promise<Buffer> {
    return this.oneShot('Encrypt', gcmMechanism(this.ck, iv), this.handles.key, plaintext, Buffer.allocUnsafe(plaintext.length + GCM_TAG_BYTES)) as
      Buffer | Promise<Buffer>;
  }

  private check(plaintext: Buffer, expected: Buffer): void {
    if (!expected.equals(plaintext))
      throw new RoundTripMismatch(`C_Decrypt returned ${plaintext.length} bytes that are not the ${expected.length} bytes encrypted`);
  }

  @exec
  decrypt(req: Request, ciphertext: Buffer, iv: Buffer, expected: Buffer): void | Promise<void> {
    // SoftHSM wants room for the whole input in the output buffer, tag included.
    const r = this.oneShot('Decrypt', gcmMechanism(this.ck, iv), this.handles.key, ciphertext, Buffer.allocUnsafe(ciphertext.length)) as
      Buffer | Promise<Buffer>;
    if (r instanceof Promise) return r.then((p) => this.check(p, expected));
    this.check(r, expected);
  }

  func(op: Operation): unknown {
    const iv = this.ivs.next();
    const ct = this.encrypt(op.req('ENCRYPT'), op.payload, iv);
    if (ct instanceof Promise) return ct.then((c) => this.decrypt(op.req('DECRYPT'), c, iv, op.payload));
    return this.decrypt(op.req('DECRYPT'), ct, iv, op.payload);
  }
}
