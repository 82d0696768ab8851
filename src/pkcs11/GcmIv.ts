/**
 * 96-bit AES-GCM IVs that do not repeat under one key: 4 random bytes per runner, then a 64-bit
 * counter from a random start (NIST SP 800-38D 8.2.1, deterministic construction: fixed field ||
 * invocation field). Cheaper than 12 random bytes per operation; two runners collide only if both
 * their random fields and their counter ranges meet.
 */
import { randomBytes } from 'node:crypto';

export class GcmIv {
  private readonly fixed = randomBytes(4);
  private hi = randomBytes(4).readUInt32BE(0);
  private lo = randomBytes(4).readUInt32BE(0);

  /** A new IV (a fresh buffer: C_EncryptInit copies it, and a round trip keeps it for decryption). */
  next(): Buffer {
    const iv = Buffer.allocUnsafe(12);
    this.fixed.copy(iv, 0);
    if (++this.lo > 0xffff_ffff) {
      this.lo = 0;
      this.hi = (this.hi + 1) >>> 0;
    }
    iv.writeUInt32BE(this.hi, 4);
    iv.writeUInt32BE(this.lo, 8);
    return iv;
  }
}
