/**
 * Random bytes from a PKCS#11 token, request GENERATE-RANDOM: C_GenerateRandom of `length` bytes
 * (synchronous only: PKCS#11 libraries offer no asynchronous call for it). A result of another
 * length, or of only zero bytes when 16 or more were asked, is UnexpectedResponse. Uses no key;
 * --extra: file (for the module and token), module, token. Lengths: 1 to 65536.
 */
import { exec, lengthProblem, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { Pkcs11Cut, type Pkcs11CutSpec } from 'pylogen/pkcs11';

const MAX = 65536;

export class Pkcs11Random extends Pkcs11Cut {
  static override readonly pkcs11: Pkcs11CutSpec = {
    noAsync: true,
    check: (plan) => {
      const p = lengthProblem(plan.lengths, 1, MAX, 'C_GenerateRandom');
      return p === undefined ? [] : [p];
    },
  };

  @exec
  generateRandom(req: Request, n: number): Buffer {
    const s = this.token.acquire();
    let out: Buffer;
    try {
      out = this.token.p11.C_GenerateRandom(s, Buffer.alloc(n));
    } finally {
      this.token.release(s);
    }
    if (out.length !== n) throw new UnexpectedResponse(`C_GenerateRandom returned ${out.length} bytes, not ${n}`);
    // A zeroed buffer back means nothing was written (the output buffer is zero-filled).
    if (n >= 16 && out.every((b) => b === 0)) throw new UnexpectedResponse(`C_GenerateRandom returned ${n} zero bytes`);
    return out;
  }

  func(op: Operation): unknown {
    return this.generateRandom(op.req('GENERATE-RANDOM'), op.step);
  }
}
