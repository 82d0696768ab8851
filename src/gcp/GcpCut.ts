/**
 * The base class of the Cloud KMS CUTs (cuts/CloudKms*.ts), like KmsCut for AWS KMS: one official
 * client per runner (one gRPC channel or one keep-alive REST agent, --concurrency calls in flight on
 * it), the key of the Cloud KMS key file that `--extra '{"file":"GcpDefault.json","key":"symmetric"}'`
 * names, and the integrity checks Google asks of every client: each request carries the CRC32C of
 * its byte fields, each answer's checksums and `verified_*` flags are checked (Crc32cMismatch). Its
 * static validate() checks, in the main process, the endpoint, the key file, the key's purpose and
 * the CUT's own limits: a problem is one line and exit 2, nothing started.
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type { GcpAttempts } from './client.js';
import { PerLength } from '../kms/client/PerLength.js';
import { RoundTripMismatch } from '../kms/client/WrongResult.js';
import { ClassUnderTest, type CutPlanView } from '../cut/ClassUnderTest.js';
import { packageRoot } from '../core/paths.js';
import { pickEntry, prepareCall, setupErrorClass, validateKeyed, type ExtraKeys } from '../cut/KeyedCut.js';
import { gcpAdvice } from './advice.js';
import { MAX_PLAINTEXT, type GcpPurpose } from './algorithms.js';
import { callOptions, parseGcpEndpoint, type GcpCallOptions, type GcpTransport } from './endpoint.js';
import { crc32c, int64Value } from './crc32c.js';
import { Crc32cMismatch } from './Crc32cMismatch.js';
import { cryptoKeyName, loadGcpKeyFile, versionName, type GcpKeyEntry, type GcpKeyFile } from './keyfile.js';

/** The --endpoint value that starts the embedded Cloud KMS server for the run. */
export const GCP_LOCAL = 'gcp-local';

export interface GcpExtra {
  /** additional authenticated data (the symmetric CUTs; default "pylogen") */
  aad?: string;
  /** the key file (default GcpDefault.json) */
  file?: string;
  /** an entry of it (default: the CUT's own) */
  key?: string;
}

/** What a CloudKms CUT declares about itself, as `static override readonly gcp`. */
export interface GcpCutSpec {
  /** the key-file entry used when --extra names none; absent: the CUT uses no key (GenerateRandomBytes) */
  defaultKey?: string;
  /** the purpose its key must have */
  purpose?: GcpPurpose;
  /** its own checks: problems, one line each */
  check?(plan: CutPlanView, key: GcpKeyEntry | undefined): string[];
}

/** A call that setup() needs failed: the runner cannot prepare. */
export const GcpSetupError = setupErrorClass('GcpSetupError');

export const GCP_EXTRA_KEYS: ExtraKeys = {
  file: 'the Cloud KMS key file (default GcpDefault.json)',
  key: "an entry of the key file (default: the CUT's)",
};

/** The --extra keys of the CUTs that send additional authenticated data. */
export const GCP_AAD_KEYS: ExtraKeys = { ...GCP_EXTRA_KEYS, aad: 'additional authenticated data, a string (default "pylogen")' };

/** The key-file entry a CUT uses, or a problem naming the file's keys. */
export function pickGcpKey(file: GcpKeyFile, name: string, purpose: GcpPurpose | undefined): GcpKeyEntry {
  return pickEntry(file, name, (entry) =>
    purpose === undefined || entry.purpose === purpose ? undefined : `is ${entry.algorithm} (purpose ${entry.purpose}), but this CUT needs a ${purpose} key`,
  );
}

/** The endpoint problem of a Cloud KMS line, or undefined. */
export function gcpEndpointProblem(endpoint: string): string | undefined {
  if (endpoint === GCP_LOCAL) return undefined;
  const parsed = parseGcpEndpoint(endpoint);
  return parsed !== undefined && 'problem' in parsed ? `--endpoint: ${parsed.problem} (or ${GCP_LOCAL}, the embedded server)` : undefined;
}

export abstract class GcpCut<Extra extends GcpExtra = GcpExtra, Context extends object = Record<string, unknown>> extends ClassUnderTest<Extra, Context> {
  static readonly gcp: GcpCutSpec = { defaultKey: 'symmetric', purpose: 'ENCRYPT_DECRYPT' };
  static override extraKeys: ExtraKeys = GCP_EXTRA_KEYS;

  client!: KeyManagementServiceClient;
  /** what every call passes: --timeout and --retries */
  call!: GcpCallOptions;
  transport!: GcpTransport;
  keyFile!: GcpKeyFile;
  key!: GcpKeyEntry;
  /** the CryptoKey's resource name (Encrypt, Decrypt) */
  keyName!: string;
  /** the CryptoKeyVersion's resource name (the version-level calls) */
  versionName!: string;
  private readonly crcs = new WeakMap<Uint8Array, { value: number }>();
  private credentialsFailed = false;
  private attempts: GcpAttempts | undefined;

  static override validate(plan: CutPlanView): string[] {
    const spec = this.gcp;
    const extra = plan.extra as GcpExtra;
    return validateKeyed(plan, {
      declared: this.extraKeys,
      strings: ['file', 'key', 'aad'],
      basics: () => {
        const endpointProblem = gcpEndpointProblem(plan.endpoint);
        return endpointProblem === undefined ? [] : [endpointProblem];
      },
      key: () =>
        spec.defaultKey !== undefined
          ? pickGcpKey(loadGcpKeyFile(extra.file, process.cwd(), packageRoot), extra.key ?? spec.defaultKey, spec.purpose)
          : undefined,
      withKey: (key) => spec.check?.(plan, key) ?? [],
    });
  }

  override async setup(): Promise<void> {
    const spec = (this.constructor as typeof GcpCut).gcp;
    this.transport = (this.runner.client as string) === 'rest' ? 'rest' : 'grpc';
    const timeoutMs = Math.max(1, Math.round(this.runner.timeout * 1000));
    this.call = callOptions({ timeoutMs, retries: this.runner.retries });
    // The SDK is loaded here, in a runner: a CUT file importing 'pylogen' does not load it.
    const { countAttempts, createGcpClient, GcpAttempts } = await import('./client.js');
    this.attempts = new GcpAttempts();
    this.client = createGcpClient({ endpoint: this.runner.endpoint, transport: this.transport, timeoutMs, retries: this.runner.retries }, this.attempts);
    this.keyFile = loadGcpKeyFile(this.extra.file, process.cwd(), packageRoot);
    if (spec.defaultKey !== undefined) {
      this.key = pickGcpKey(this.keyFile, this.extra.key ?? spec.defaultKey, spec.purpose);
      this.keyName = cryptoKeyName(this.keyFile, this.key);
      this.versionName = versionName(this.keyFile, this.key);
    }
    // The credentials, found once here: a client whose credentials failed rejects every call, and
    // google-gax leaves one of its rejections per call unhandled, which would end the runner.
    await countAttempts(this.client, this.attempts).catch((err: unknown) => {
      this.credentialsFailed = true;
      throw new GcpSetupError(`setup: ${gcpAdvice(err, 'the Cloud KMS client', this.runner.endpoint || 'cloudkms.googleapis.com')}`);
    });
  }

  /** google-gax's retries (--retries): the attempts past each call's first. */
  override retried(): number {
    return this.attempts?.retried ?? 0;
  }

  override async teardown(): Promise<void> {
    // A client whose credentials failed rejects its close() with the same error, said by setup().
    if (!this.credentialsFailed) await this.client?.close();
  }

  /** The checksum field of request bytes (the payload is shared and read-only: computed once per buffer). */
  protected crcOf(data: Uint8Array): { value: number } {
    let c = this.crcs.get(data);
    if (c === undefined) {
      c = { value: crc32c(data) };
      this.crcs.set(data, c);
    }
    return c;
  }

  /** Checks an answer's checksum of `data`: Crc32cMismatch when it is absent or wrong. */
  protected checkCrc(data: Uint8Array | string | null | undefined, crc: unknown, field: string): void {
    const got = int64Value(crc);
    const bytes = typeof data === 'string' ? Buffer.from(data) : (data ?? new Uint8Array(0));
    if (got === undefined) throw new Crc32cMismatch(`the answer has no ${field}`);
    if (crc32c(bytes) !== got) throw new Crc32cMismatch(`${field} ${got} is not the CRC32C of the ${bytes.length} bytes it checks (${crc32c(bytes)})`);
  }

  /** Checks that the service says it verified a checksum the request carried. */
  protected checkVerified(flag: boolean | null | undefined, field: string): void {
    if (flag !== true) throw new Crc32cMismatch(`${field} is not true: the service did not verify the checksum the request carried`);
  }

  /** The additional authenticated data of --extra "aad" (default "pylogen"), as bytes. */
  protected aad(): Buffer {
    const aad = (this.extra as { aad?: unknown }).aad;
    return Buffer.from(typeof aad === 'string' ? aad : 'pylogen');
  }

  /** Encrypt with the key (its primary version), both checksums sent, the answer's checked: the ciphertext. */
  protected async encryptChecked(plaintext: Buffer, aad: Buffer): Promise<Uint8Array> {
    const [out] = await this.client.encrypt(this.sealRequest(this.keyName, plaintext, aad), this.call);
    return this.checkSealed(out);
  }

  /** The request of Encrypt and RawEncrypt: the plaintext and the additional authenticated data, each with its CRC32C. */
  private sealRequest(name: string, plaintext: Buffer, aad: Buffer) {
    return { name, plaintext, plaintextCrc32c: this.crcOf(plaintext), additionalAuthenticatedData: aad, additionalAuthenticatedDataCrc32c: this.crcOf(aad) };
  }

  /** The checks of an Encrypt or RawEncrypt answer: both checksums the request carried verified, the ciphertext's checked; the ciphertext. */
  private checkSealed(out: {
    verifiedPlaintextCrc32c?: boolean | null;
    verifiedAdditionalAuthenticatedDataCrc32c?: boolean | null;
    ciphertext?: unknown;
    ciphertextCrc32c?: unknown;
  }): Uint8Array {
    this.checkVerified(out.verifiedPlaintextCrc32c, 'verified_plaintext_crc32c');
    this.checkVerified(out.verifiedAdditionalAuthenticatedDataCrc32c, 'verified_additional_authenticated_data_crc32c');
    this.checkCrc(out.ciphertext as Uint8Array, out.ciphertextCrc32c, 'ciphertext_crc32c');
    return out.ciphertext as Uint8Array;
  }

  /** Decrypt, checksums sent and checked, the plaintext compared with the one encrypted (RoundTripMismatch). */
  protected async decryptChecked(ciphertext: Uint8Array, aad: Buffer, expected: Buffer): Promise<void> {
    const [out] = await this.client.decrypt(
      {
        name: this.keyName,
        ciphertext,
        ciphertextCrc32c: this.crcOf(ciphertext),
        additionalAuthenticatedData: aad,
        additionalAuthenticatedDataCrc32c: this.crcOf(aad),
      },
      this.call,
    );
    const plaintext = (out.plaintext as Uint8Array | null) ?? new Uint8Array(0);
    this.checkCrc(plaintext, out.plaintextCrc32c, 'plaintext_crc32c');
    if (Buffer.compare(plaintext, expected) !== 0)
      throw new RoundTripMismatch(`Decrypt gave ${plaintext.length} bytes that are not the ${expected.length} encrypted`);
  }

  /** RawEncrypt (AES_256_GCM) of the key's version, checksums sent and checked. */
  protected async rawEncryptChecked(plaintext: Buffer, aad: Buffer): Promise<{ ciphertext: Uint8Array; iv: Uint8Array; tagLength: number }> {
    const [out] = await this.client.rawEncrypt(this.sealRequest(this.versionName, plaintext, aad), this.call);
    const ciphertext = this.checkSealed(out);
    this.checkCrc(out.initializationVector as Uint8Array, out.initializationVectorCrc32c, 'initialization_vector_crc32c');
    return { ciphertext, iv: out.initializationVector as Uint8Array, tagLength: out.tagLength ?? 16 };
  }

  /** The CRC32C-checked signature of AsymmetricSign over a digest. */
  protected async signChecked(digestField: string, digest: Buffer): Promise<Uint8Array> {
    const [out] = await this.client.asymmetricSign({ name: this.versionName, digest: { [digestField]: digest }, digestCrc32c: this.crcOf(digest) }, this.call);
    this.checkVerified(out.verifiedDigestCrc32c, 'verified_digest_crc32c');
    this.checkCrc(out.signature as Uint8Array, out.signatureCrc32c, 'signature_crc32c');
    return out.signature as Uint8Array;
  }

  /** The CRC32C-checked MAC of MacSign. */
  protected async macSignChecked(data: Buffer): Promise<Uint8Array> {
    const [out] = await this.client.macSign({ name: this.versionName, data, dataCrc32c: this.crcOf(data) }, this.call);
    this.checkVerified(out.verifiedDataCrc32c, 'verified_data_crc32c');
    this.checkCrc(out.mac as Uint8Array, out.macCrc32c, 'mac_crc32c');
    return out.mac as Uint8Array;
  }

  /** The key version's public key (GetPublicKey), its pem_crc32c checked. */
  protected async publicKey(): Promise<KeyObject> {
    const [out] = await this.prepare('GetPublicKey', () => this.client.getPublicKey({ name: this.versionName }, this.call));
    this.checkCrc(out.pem ?? '', out.pemCrc32c, 'pem_crc32c');
    return createPublicKey(out.pem!);
  }

  /** Runs a call that setup() needs; its failure fails the runner, saying what and where. */
  protected prepare<T>(what: string, call: () => Promise<T>): Promise<T> {
    return prepareCall(GcpSetupError, `${what} of key "${this.key?.name ?? '-'}"`, this.runner.endpoint || 'cloudkms.googleapis.com', call);
  }
}

/**
 * The base of the Cloud KMS CUTs that send a payload with additional authenticated data (Encrypt, Decrypt,
 * RawEncrypt, RawDecrypt and their round trip): the --extra aad key, its bytes read once in setup(), and the
 * data the decrypting ones seal once per --lengths value. Each names its key with aeadSpec().
 */
export abstract class GcpAeadCut extends GcpCut {
  static override extraKeys: ExtraKeys = GCP_AAD_KEYS;

  protected aadBytes!: Buffer;

  override async setup(): Promise<void> {
    await super.setup();
    this.aadBytes = this.aad();
  }

  /** `seal(plaintext)` of a random plaintext of every --lengths value, done once (`what` names the call if it fails). */
  protected sealEach<T>(what: string, seal: (plaintext: Buffer) => Promise<T>): Promise<PerLength<T & { plaintext: Buffer }>> {
    return new PerLength((length) =>
      this.prepare(`${what} of ${length} bytes`, async () => {
        const plaintext = randomBytes(length);
        return { plaintext, ...(await seal(plaintext)) };
      }),
    ).fill(this.runner.lengths);
  }
}

/** The spec of a GcpAeadCut: its default key and the purpose the key must have; the payload at most Cloud KMS's limit. */
export function aeadSpec(defaultKey: string, purpose: GcpPurpose): GcpCutSpec {
  return { defaultKey, purpose, check: (plan) => lengthProblems(plan, MAX_PLAINTEXT) };
}

/** The payload limit of the CUTs that send it: Cloud KMS takes at most `max` bytes. */
export function lengthProblems(plan: CutPlanView, max: number, min = 0, what = 'the payload'): string[] {
  const bad = plan.lengths.filter((l) => l > max || l < min);
  return bad.length > 0 ? [`--lengths: ${what} of this CUT is ${min > 0 ? `${min} to ` : 'at most '}${max} bytes, but --lengths has ${bad.join(', ')}`] : [];
}
