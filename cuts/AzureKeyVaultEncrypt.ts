/**
 * Encrypt at the vault, request ENCRYPT: CryptographyClient.encrypt of the payload, RSA-OAEP-256 with
 * an RSA key (which the SDK would do locally with RSA-OAEP if it held the key: pylogen's clients never
 * do) or A256GCM with a Managed HSM oct-HSM key (the HSM makes the IV). --extra: file, key (default
 * rsa2048; aes256 on Managed HSM), algorithm (RSA-OAEP-256, RSA-OAEP; AnnnGCM for an oct-HSM key).
 * Lengths: RSA-OAEP-256 with RSA 2048 takes at most 190 bytes.
 */
import { AzureCut, exec, oaepLengthProblems, RoundTripMismatch, UnexpectedResponse, type AzureCutSpec, type Operation, type Request } from 'pylogen';

export interface Encrypted {
  ciphertext: Uint8Array;
  iv?: Uint8Array;
  tag?: Uint8Array;
}

export class AzureKeyVaultEncrypt extends AzureCut {
  static override readonly azure: AzureCutSpec = { defaultKey: 'rsa2048', families: ['rsa', 'oct'], ops: ['encrypt'], use: 'encrypt', check: oaepLengthProblems };

  override async setup(): Promise<void> {
    await super.setup();
    // The client's first request meets Key Vault's 401 challenge: not in a measured operation.
    await this.prepare('the first Encrypt', () => this.encryptNow(Buffer.alloc(1)));
  }

  protected async encryptNow(plaintext: Uint8Array): Promise<Encrypted> {
    const out = await this.crypto.encrypt({ algorithm: this.algorithm as 'RSA-OAEP-256', plaintext }, this.callOptions);
    if (out.result.length === 0) throw new UnexpectedResponse('Encrypt returned an empty ciphertext');
    return { ciphertext: out.result, ...(out.iv === undefined ? {} : { iv: out.iv }), ...(out.authenticationTag === undefined ? {} : { tag: out.authenticationTag }) };
  }

  /** Decrypt of what encryptNow() returned, which must give `expected` back (RoundTripMismatch otherwise). */
  protected async decryptNow(sealed: Encrypted, expected: Uint8Array): Promise<void> {
    const out = await this.crypto.decrypt(
      { algorithm: this.algorithm as 'RSA-OAEP-256', ciphertext: sealed.ciphertext, ...(sealed.iv === undefined ? {} : { iv: sealed.iv, authenticationTag: sealed.tag! }) },
      this.callOptions,
    );
    if (!Buffer.from(out.result.buffer, out.result.byteOffset, out.result.byteLength).equals(expected)) {
      throw new RoundTripMismatch(`Decrypt returned ${out.result.length} bytes that are not the ${expected.length} bytes encrypted`);
    }
  }

  @exec
  async encrypt(req: Request, plaintext: Uint8Array): Promise<Encrypted> {
    return this.encryptNow(plaintext);
  }

  func(op: Operation): Promise<unknown> {
    return this.encrypt(op.req('ENCRYPT'), op.payload);
  }
}
