/**
 * A correctness probe, transaction SIGN-LOCAL-VERIFY: the token signs the payload's digest (request
 * SIGN, as Pkcs11Sign), then node:crypto verifies the signature of the payload with the public key
 * read from the token in setup() (request LOCAL-VERIFY), as any holder of the public key would: a
 * signature that does not verify is a SignatureInvalid error. --extra: file, key (an EC or RSA key,
 * default rsa2048pss), module, token, async. Lengths: any.
 */
import { exec, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import {
  Pkcs11Cut,
  pkcs11Verifier,
  publicKeyOf,
  signatureBytes,
  signMechanism,
  toBeSigned,
  type Mechanism,
  type Pkcs11CutSpec,
  DigestCache,
} from 'pylogen/pkcs11';

export class Pkcs11SignLocalVerify extends Pkcs11Cut {
  static override readonly pkcs11: Pkcs11CutSpec = { defaultKey: 'rsa2048pss', usages: ['sign'], types: ['EC', 'RSA'] };

  override transactionName = 'SIGN-LOCAL-VERIFY';
  private mechanism!: Mechanism;
  private digests!: DigestCache;
  private inputs = new WeakMap<Buffer, Buffer>();
  private sigBytes = 0;
  private verifies!: (message: Uint8Array, signature: Uint8Array) => boolean;

  override async setup(): Promise<void> {
    await super.setup();
    this.mechanism = signMechanism(this.ck, this.key);
    this.digests = new DigestCache(this.key.hash);
    this.sigBytes = signatureBytes(this.key);
    const pub = this.prepare('reading the public key', (s) => publicKeyOf(this.token, s, this.handles, this.key));
    this.verifies = pkcs11Verifier(pub, this.key);
  }

  private input(payload: Buffer): Buffer {
    let v = this.inputs.get(payload);
    if (v === undefined) this.inputs.set(payload, (v = toBeSigned(this.key, this.digests.of(payload))));
    return v;
  }

  @exec
  sign(req: Request, data: Buffer): Buffer | Promise<Buffer> {
    return this.oneShot('Sign', this.mechanism, this.handles.key, data, Buffer.allocUnsafe(this.sigBytes)) as Buffer | Promise<Buffer>;
  }

  @exec
  localVerify(req: Request, payload: Buffer, signature: Buffer): void {
    if (!this.verifies(payload, signature)) {
      throw new SignatureInvalid(`the ${this.key.type} signature of ${payload.length} bytes does not verify with the token's public key "${this.key.label}"`);
    }
  }

  func(op: Operation): unknown {
    const sig = this.sign(op.req('SIGN'), this.input(op.payload));
    if (sig instanceof Promise) return sig.then((s) => this.localVerify(op.req('LOCAL-VERIFY'), op.payload, s));
    return this.localVerify(op.req('LOCAL-VERIFY'), op.payload, sig);
  }
}
