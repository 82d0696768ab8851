/**
 * AES key wrap (RFC 3394, CKM_AES_KEY_WRAP) on a PKCS#11 token, transaction WRAP-UNWRAP: C_WrapKey of
 * an AES key of `length` bytes (16, 24 or 32: one extractable session key per length, made in
 * setup()) under the wrapping key (request WRAP: length + 8 bytes out), then C_UnwrapKey of the result
 * (request UNWRAP) into a session key whose value must be the original's (RoundTripMismatch
 * otherwise), destroyed at once. --extra: file, key (an AES wrap key, default wrap256), module, token,
 * async. Lengths: 16, 24, 32.
 */
import { exec, RoundTripMismatch, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { Pkcs11Cut, type Handle, type Mechanism, type Pkcs11CutSpec } from 'pylogen/pkcs11';

const SIZES = [16, 24, 32];

export class Pkcs11Wrap extends Pkcs11Cut {
  static override readonly pkcs11: Pkcs11CutSpec = {
    defaultKey: 'wrap256',
    usages: ['wrap'],
    types: ['AES'],
    check: (plan) => {
      const bad = [...new Set(plan.lengths.filter((l) => !SIZES.includes(l)))];
      return bad.length === 0
        ? []
        : [`--lengths: Pkcs11Wrap wraps AES keys of 16, 24 or 32 bytes, but ${bad.length === 1 ? `a length is ${bad[0]}` : `lengths ${bad.join(', ')} are`}`];
    },
  };

  override transactionName = 'WRAP-UNWRAP';
  private mechanism!: Mechanism;
  /** per length: the session key wrapped, and its value */
  private targets = new Map<number, { handle: Handle; value: Buffer }>();

  override async setup(): Promise<void> {
    await super.setup();
    const ck = this.ck;
    this.mechanism = { mechanism: ck.CKM_AES_KEY_WRAP! };
    for (const n of new Set(this.runner.lengths)) {
      this.prepare(`generating an extractable ${n * 8}-bit AES session key to wrap`, (s) => {
        const handle = this.token.p11.C_GenerateKey(s, { mechanism: ck.CKM_AES_KEY_GEN! }, this.template(n));
        const [v] = this.token.p11.C_GetAttributeValue(s, handle, [{ type: ck.CKA_VALUE! }]);
        this.targets.set(n, { handle, value: v!.value });
      });
    }
  }

  /** An AES session key that may be wrapped and read back (a test key: not sensitive). */
  private template(n?: number): { type: number; value: number | boolean }[] {
    const ck = this.ck;
    const t = [
      { type: ck.CKA_CLASS!, value: ck.CKO_SECRET_KEY! },
      { type: ck.CKA_KEY_TYPE!, value: ck.CKK_AES! },
      { type: ck.CKA_TOKEN!, value: false },
      { type: ck.CKA_SENSITIVE!, value: false },
      { type: ck.CKA_EXTRACTABLE!, value: true },
      { type: ck.CKA_ENCRYPT!, value: true },
    ];
    if (n !== undefined) t.push({ type: ck.CKA_VALUE_LEN!, value: n });
    return t;
  }

  private checkWrapped(w: Buffer, n: number): Buffer {
    if (w.length !== n + 8) throw new UnexpectedResponse(`C_WrapKey returned ${w.length} bytes for a ${n}-byte key, not ${n + 8}`);
    return w;
  }

  @exec
  wrap(req: Request, n: number): Buffer | Promise<Buffer> {
    const r = this.wrapKey(this.mechanism, this.handles.key, this.targets.get(n)!.handle, Buffer.allocUnsafe(n + 8));
    return r instanceof Promise ? r.then((w) => this.checkWrapped(w, n)) : this.checkWrapped(r, n);
  }

  /** Reads the unwrapped key's value, destroys it, and compares. */
  private checkUnwrapped(s: Handle, key: Handle, n: number): void {
    const p11 = this.token.p11;
    let value: Buffer;
    try {
      value = p11.C_GetAttributeValue(s, key, [{ type: this.ck.CKA_VALUE! }])[0]!.value;
    } finally {
      p11.C_DestroyObject(s, key);
    }
    if (!value.equals(this.targets.get(n)!.value))
      throw new RoundTripMismatch(`C_UnwrapKey gave a ${value.length}-byte key that is not the ${n}-byte key wrapped`);
  }

  @exec
  unwrap(req: Request, wrapped: Buffer, n: number): void | Promise<void> {
    const token = this.token;
    const s = token.acquire();
    if (!this.async) {
      try {
        this.checkUnwrapped(s, token.p11.C_UnwrapKey(s, this.mechanism, this.handles.key, wrapped, this.template()), n);
      } finally {
        token.release(s);
      }
      return;
    }
    return token.p11
      .C_UnwrapKeyAsync(s, this.mechanism, this.handles.key, wrapped, this.template())
      .then((k) => this.checkUnwrapped(s, k, n))
      .finally(() => token.release(s));
  }

  func(op: Operation): unknown {
    const w = this.wrap(op.req('WRAP'), op.step);
    if (w instanceof Promise) return w.then((x) => this.unwrap(op.req('UNWRAP'), x, op.step));
    return this.unwrap(op.req('UNWRAP'), w, op.step);
  }
}
