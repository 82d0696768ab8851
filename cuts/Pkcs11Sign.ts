/**
 * Signing on a PKCS#11 token, request SIGN: the payload's digest (the key's hash, computed locally
 * and once per payload, as PYLOGEN's DIGEST signing) signed by the token with the key's mechanism:
 * CKM_ECDSA for EC keys (P-256, P-384, P-521), CKM_RSA_PKCS on DigestInfo for RSA PKCS1 keys,
 * CKM_RSA_PKCS_PSS for RSA PSS keys. The signature's length is checked (UnexpectedResponse).
 * --extra: file, key (an EC or RSA key, default ecc256), module, token, async. Lengths: any.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { Pkcs11Cut, signatureBytes, signMechanism, toBeSigned, type Mechanism, type Pkcs11CutSpec, DigestCache } from 'pylogen/pkcs11';

export class Pkcs11Sign extends Pkcs11Cut {
  static override readonly pkcs11: Pkcs11CutSpec = { defaultKey: 'ecc256', usages: ['sign'], types: ['EC', 'RSA'] };

  private mechanism!: Mechanism;
  private digests!: DigestCache;
  private inputs = new WeakMap<Buffer, Buffer>();
  private sigBytes = 0;

  override async setup(): Promise<void> {
    await super.setup();
    this.mechanism = signMechanism(this.ck, this.key);
    this.digests = new DigestCache(this.key.hash);
    // ECDSA r || s and RSA signatures have exactly this length.
    this.sigBytes = signatureBytes(this.key);
  }

  /** What the token signs for a payload: its digest (or DigestInfo || digest), once per payload buffer. */
  private input(payload: Buffer): Buffer {
    let v = this.inputs.get(payload);
    if (v === undefined) this.inputs.set(payload, (v = toBeSigned(this.key, this.digests.of(payload))));
    return v;
  }

  private check(sig: Buffer): Buffer {
    if (sig.length !== this.sigBytes)
      throw new UnexpectedResponse(`C_Sign returned ${sig.length} bytes, not the ${this.sigBytes} of a ${this.key.type} signature`);
    return sig;
  }

  @exec
  sign(req: Request, data: Buffer): Buffer | Promise<Buffer> {
    const r = this.oneShot('Sign', this.mechanism, this.handles.key, data, Buffer.allocUnsafe(this.sigBytes)) as Buffer | Promise<Buffer>;
    return r instanceof Promise ? r.then((s) => this.check(s)) : this.check(r);
  }

  func(op: Operation): unknown {
    return this.sign(op.req('SIGN'), this.input(op.payload));
  }
}
