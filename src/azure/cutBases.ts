/**
 * What several Azure CUTs share, one base per kind of key use (cuts/ files import only 'pylogen', not
 * each other): encryption (encryptNow / decryptNow, the round trip checked), signing (the digest
 * of a payload, made once per payload buffer) and wrapping (one 32-byte data key, made once). Each
 * makes its CUT's first call in setup(): the 401 challenge of Key Vault is never measured.
 */
import { DigestCache } from '../kms/client/localCrypto.js';
import { RoundTripMismatch, UnexpectedResponse } from '../kms/client/WrongResult.js';
import { digestHash } from './algorithms.js';
import { AzureCut, oaepLengthProblems, type AzureCutSpec } from './AzureCut.js';

export interface Encrypted {
  ciphertext: Uint8Array;
  iv?: Uint8Array;
  tag?: Uint8Array;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

export abstract class AzureEncryptingCut extends AzureCut {
  static override readonly azure: AzureCutSpec = {
    defaultKey: 'rsa2048',
    families: ['rsa', 'oct'],
    ops: ['encrypt'],
    use: 'encrypt',
    check: oaepLengthProblems,
  };

  override async setup(): Promise<void> {
    await super.setup();
    await this.prepare('the first Encrypt', () => this.encryptNow(Buffer.alloc(1)));
  }

  protected async encryptNow(plaintext: Uint8Array): Promise<Encrypted> {
    const out = await this.crypto.encrypt({ algorithm: this.algorithm as 'RSA-OAEP-256', plaintext }, this.callOptions);
    if (out.result.length === 0) throw new UnexpectedResponse('Encrypt returned an empty ciphertext');
    return {
      ciphertext: out.result,
      ...(out.iv === undefined ? {} : { iv: out.iv }),
      ...(out.authenticationTag === undefined ? {} : { tag: out.authenticationTag }),
    };
  }

  /** Decrypt of what encryptNow() returned, which must give `expected` back (RoundTripMismatch otherwise). */
  protected async decryptNow(sealed: Encrypted, expected: Uint8Array): Promise<void> {
    const out = await this.crypto.decrypt(
      {
        algorithm: this.algorithm as 'RSA-OAEP-256',
        ciphertext: sealed.ciphertext,
        ...(sealed.iv === undefined ? {} : { iv: sealed.iv, authenticationTag: sealed.tag! }),
      },
      this.callOptions,
    );
    if (!same(out.result, expected))
      throw new RoundTripMismatch(`Decrypt returned ${out.result.length} bytes that are not the ${expected.length} bytes encrypted`);
  }
}

export abstract class AzureSigningCut extends AzureCut {
  static override readonly azure: AzureCutSpec = { defaultKey: 'ec256', families: ['rsa', 'ec'], ops: ['sign'], use: 'sign' };

  protected digests!: DigestCache;

  override async setup(): Promise<void> {
    await super.setup();
    this.digests = new DigestCache(digestHash(this.algorithm));
    await this.prepare('the first Sign', () => this.signNow(Buffer.alloc(1)));
  }

  /** Sign of the payload's digest (Key Vault signs digests). */
  protected async signNow(data: Uint8Array): Promise<Uint8Array> {
    const out = await this.crypto.sign(this.algorithm, this.digests.of(data), this.callOptions);
    if (out.result.length === 0) throw new UnexpectedResponse('Sign returned an empty signature');
    return out.result;
  }
}

export abstract class AzureWrappingCut extends AzureCut {
  static override readonly azure: AzureCutSpec = { defaultKey: 'rsa2048', families: ['rsa', 'oct'], ops: ['wrapKey'], use: 'wrap' };

  /** the key wrapped by every operation (made once: no allocation per operation) */
  protected readonly dataKey = Buffer.alloc(32, 0x5a);

  override async setup(): Promise<void> {
    await super.setup();
    await this.prepare('the first WrapKey', () => this.wrapNow());
  }

  protected async wrapNow(): Promise<Uint8Array> {
    const out = await this.crypto.wrapKey(this.algorithm as 'RSA-OAEP-256', this.dataKey, this.callOptions);
    if (out.result.length === 0) throw new UnexpectedResponse('WrapKey returned an empty wrapped key');
    return out.result;
  }

  protected async unwrapNow(wrapped: Uint8Array): Promise<void> {
    const out = await this.crypto.unwrapKey(this.algorithm as 'RSA-OAEP-256', wrapped, this.callOptions);
    if (!same(out.result, this.dataKey))
      throw new RoundTripMismatch(`UnwrapKey returned ${out.result.length} bytes that are not the ${this.dataKey.length}-byte key wrapped`);
  }
}
