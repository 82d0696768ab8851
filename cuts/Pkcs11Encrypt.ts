/**
 * AES-GCM encryption on a PKCS#11 token, request ENCRYPT: C_EncryptInit with CKM_AES_GCM (a fresh
 * 96-bit IV per operation, 128-bit tag) then C_Encrypt of the payload. The output must be the
 * payload's length plus the 16-byte tag (UnexpectedResponse otherwise). --extra: file, key (an AES
 * encrypt key, default aes256), module, token, async. Lengths: at least 1 (pkcs11js
 * passes an empty buffer as a NULL pointer, which modules refuse with CKR_ARGUMENTS_BAD).
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { atLeastOneByte, GCM_TAG_BYTES, gcmMechanism, GcmIv, Pkcs11Cut, type Pkcs11CutSpec } from 'pylogen/pkcs11';

export class Pkcs11Encrypt extends Pkcs11Cut {
  static override readonly pkcs11: Pkcs11CutSpec = {
    defaultKey: 'aes256',
    usages: ['encrypt'],
    types: ['AES'],
    check: (plan) => atLeastOneByte(plan.lengths, 'C_Encrypt'),
  };

  private readonly ivs = new GcmIv();

  private check(ct: Buffer, n: number): Buffer {
    if (ct.length !== n + GCM_TAG_BYTES)
      throw new UnexpectedResponse(`C_Encrypt returned ${ct.length} bytes for ${n} bytes of plaintext, not ${n + GCM_TAG_BYTES}`);
    return ct;
  }

  @exec
  encrypt(req: Request, plaintext: Buffer): Buffer | Promise<Buffer> {
    const n = plaintext.length;
    const r = this.oneShot('Encrypt', gcmMechanism(this.ck, this.ivs.next()), this.handles.key, plaintext, Buffer.allocUnsafe(n + GCM_TAG_BYTES)) as
      Buffer | Promise<Buffer>;
    return r instanceof Promise ? r.then((ct) => this.check(ct, n)) : this.check(r, n);
  }

  func(op: Operation): unknown {
    return this.encrypt(op.req('ENCRYPT'), op.payload);
  }
}
