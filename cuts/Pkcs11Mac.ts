/**
 * HMAC on a PKCS#11 token, transaction MAC-VERIFY: C_Sign with CKM_SHA256_HMAC (or the key's hash)
 * of the payload (request MAC), then C_Verify of that MAC on the token (request VERIFY-MAC), which
 * must confirm it (MacInvalid otherwise). --extra: file, key (an HMAC key, default hmac256), module,
 * token, async. Lengths: at least 1 (pkcs11js
 * passes an empty buffer as a NULL pointer, which modules refuse with CKR_ARGUMENTS_BAD).
 */
import { exec, MacInvalid, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { atLeastOneByte, Pkcs11Cut, PKCS11_HASH_BYTES, signMechanism, type Mechanism, type Pkcs11CutSpec } from 'pylogen/pkcs11';

export class Pkcs11Mac extends Pkcs11Cut {
  static override readonly pkcs11: Pkcs11CutSpec = {
    defaultKey: 'hmac256',
    usages: ['mac'],
    types: ['HMAC'],
    check: (plan) => atLeastOneByte(plan.lengths, 'C_Sign with an HMAC key'),
  };

  override transactionName = 'MAC-VERIFY';
  private mechanism!: Mechanism;
  private macBytes = 0;

  override async setup(): Promise<void> {
    await super.setup();
    this.mechanism = signMechanism(this.ck, this.key);
    this.macBytes = PKCS11_HASH_BYTES[this.key.hash];
  }

  private checkMac(mac: Buffer): Buffer {
    if (mac.length !== this.macBytes) throw new UnexpectedResponse(`C_Sign returned a ${mac.length}-byte MAC, not ${this.macBytes}`);
    return mac;
  }

  @exec
  mac(req: Request, data: Buffer): Buffer | Promise<Buffer> {
    const r = this.oneShot('Sign', this.mechanism, this.handles.key, data, Buffer.allocUnsafe(this.macBytes)) as Buffer | Promise<Buffer>;
    return r instanceof Promise ? r.then((m) => this.checkMac(m)) : this.checkMac(r);
  }

  private checkVerified(ok: boolean, n: number): void {
    if (ok !== true) throw new MacInvalid(`C_Verify did not confirm the MAC of ${n} bytes that C_Sign returned`);
  }

  @exec
  verifyMac(req: Request, data: Buffer, mac: Buffer): void | Promise<void> {
    const r = this.oneShot('Verify', this.mechanism, this.handles.key, data, mac) as boolean | Promise<boolean>;
    if (r instanceof Promise) return r.then((ok) => this.checkVerified(ok, data.length));
    this.checkVerified(r, data.length);
  }

  func(op: Operation): unknown {
    const mac = this.mac(op.req('MAC'), op.payload);
    if (mac instanceof Promise) return mac.then((m) => this.verifyMac(op.req('VERIFY-MAC'), op.payload, m));
    return this.verifyMac(op.req('VERIFY-MAC'), op.payload, mac);
  }
}
