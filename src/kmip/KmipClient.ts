/**
 * A KMIP 1.x client over node:tls: one connection per request in flight (at most `connections`,
 * made on demand and kept), TLS sessions resumed across its connections, batch items where one
 * message can carry several operations (Create + Activate, Revoke + Destroy), and the operations the
 * KMIP CUTs and `kmip setup` use. A failed batch item throws KmipError ("KMIP <reason>").
 */
import { KmipConnection, type KmipTlsOptions } from './KmipConnection.js';
import { KmipError, KmipProtocolError } from './KmipError.js';
import { CryptographicAlgorithm, NameType, ObjectType, Operation, ResultStatus, RevocationReasonCode, Tag, UsageMask, ValidityIndicator } from './tags.js';
import { bool, bytes, bytesOf, child, children, decode, encode, enm, int, ItemType, numberOf, struct, text, textOf, type Item } from './ttlv.js';

/** KMIP 1.4: the first version with the GCM members (additional data, tag) Encrypt and Decrypt use. */
export const PROTOCOL_VERSION = { major: 1, minor: 4 } as const;

const OPERATION_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Operation).map(([k, v]) => [v, k]));

export interface BatchItem {
  operation: number;
  /** the Request Payload's members */
  payload: (Item | undefined)[];
}

/** Cryptographic Parameters, in the order the specification (and PyKMIP's decoder) requires. */
export interface CryptoParams {
  blockCipherMode?: number;
  paddingMethod?: number;
  hashingAlgorithm?: number;
  digitalSignatureAlgorithm?: number;
  cryptographicAlgorithm?: number;
  randomIv?: boolean;
  tagLength?: number;
}

export function cryptoParams(p: CryptoParams): Item {
  return struct(
    Tag.CryptographicParameters,
    p.blockCipherMode !== undefined ? enm(Tag.BlockCipherMode, p.blockCipherMode) : undefined,
    p.paddingMethod !== undefined ? enm(Tag.PaddingMethod, p.paddingMethod) : undefined,
    p.hashingAlgorithm !== undefined ? enm(Tag.HashingAlgorithm, p.hashingAlgorithm) : undefined,
    p.digitalSignatureAlgorithm !== undefined ? enm(Tag.DigitalSignatureAlgorithm, p.digitalSignatureAlgorithm) : undefined,
    p.cryptographicAlgorithm !== undefined ? enm(Tag.CryptographicAlgorithm, p.cryptographicAlgorithm) : undefined,
    p.randomIv !== undefined ? bool(Tag.RandomIv, p.randomIv) : undefined,
    p.tagLength !== undefined ? int(Tag.TagLength, p.tagLength) : undefined,
  );
}

/** A KMIP 1.x attribute (name and value) for a Template-Attribute or a Locate. */
export function attribute(name: string, value: Item): Item {
  return struct(Tag.Attribute, text(Tag.AttributeName, name), { ...value, tag: Tag.AttributeValue } as Item);
}

export function nameAttribute(name: string): Item {
  return attribute('Name', struct(Tag.AttributeValue, text(Tag.NameValue, name), enm(Tag.NameType, NameType.UninterpretedTextString)));
}

/** What a key is made of, for Create, CreateKeyPair and Register. */
export interface KeyTemplate {
  algorithm: number;
  length: number;
  usageMask: number;
  name?: string;
}

function templateAttributes(t: KeyTemplate, tag: number = Tag.TemplateAttribute): Item {
  return struct(
    tag,
    t.name !== undefined ? nameAttribute(t.name) : undefined,
    attribute('Cryptographic Algorithm', enm(0, t.algorithm)),
    attribute('Cryptographic Length', int(0, t.length)),
    attribute('Cryptographic Usage Mask', int(0, t.usageMask)),
  );
}

export function encodeRequest(items: readonly BatchItem[]): Buffer {
  return encode(
    struct(
      Tag.RequestMessage,
      struct(
        Tag.RequestHeader,
        struct(Tag.ProtocolVersion, int(Tag.ProtocolVersionMajor, PROTOCOL_VERSION.major), int(Tag.ProtocolVersionMinor, PROTOCOL_VERSION.minor)),
        int(Tag.BatchCount, items.length),
      ),
      // A batch of several items must number them (Unique Batch Item ID); one item need not.
      ...items.map((i, n) =>
        struct(
          Tag.BatchItem,
          enm(Tag.Operation, i.operation),
          items.length > 1 ? bytes(Tag.UniqueBatchItemId, Buffer.of(n + 1)) : undefined,
          struct(Tag.RequestPayload, ...i.payload),
        ),
      ),
    ),
  );
}

/** One batch item of a response: its payload, or the KmipError it failed with. */
export type BatchResult = { ok: true; payload: Item | undefined } | { ok: false; error: KmipError };

export function decodeResponse(message: Buffer, items: readonly BatchItem[]): BatchResult[] {
  let root: Item;
  try {
    root = decode(message);
  } catch (err) {
    throw new KmipProtocolError(`undecodable response: ${(err as Error).message}`);
  }
  if (root.tag !== Tag.ResponseMessage) throw new KmipProtocolError(`the response is not a Response Message (tag 0x${root.tag.toString(16)})`);
  const batch = children(root, Tag.BatchItem);
  if (batch.length !== items.length) {
    // A server that cannot parse a message answers with one failed item: report its reason.
    const first = batch[0];
    if (batch.length === 1 && numberOf(first, Tag.ResultStatus) === ResultStatus.OperationFailed) {
      const e = new KmipError(numberOf(first, Tag.ResultReason), textOf(first, Tag.ResultMessage), OPERATION_NAMES[items[0]!.operation] ?? 'request');
      return items.map(() => ({ ok: false, error: e }));
    }
    throw new KmipProtocolError(`the response has ${batch.length} batch items for ${items.length} requested`);
  }
  return batch.map((b, i) => {
    const status = numberOf(b, Tag.ResultStatus);
    if (status === ResultStatus.Success) return { ok: true, payload: child(b, Tag.ResponsePayload) };
    const op = OPERATION_NAMES[items[i]!.operation] ?? `operation ${items[i]!.operation}`;
    return { ok: false, error: new KmipError(numberOf(b, Tag.ResultReason), textOf(b, Tag.ResultMessage) ?? `result status ${status}`, op) };
  });
}

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new KmipProtocolError(`the response has no ${what}`);
  return value;
};

export interface KmipClientOptions {
  tls: KmipTlsOptions;
  /** per request (and per connection), ms */
  timeoutMs: number;
  /** connections at most (one per request in flight) */
  connections: number;
}

export interface GetResult {
  objectType: number;
  keyFormatType: number | undefined;
  algorithm: number | undefined;
  length: number | undefined;
  /** the key material when it is a byte string (Raw, PKCS#1, PKCS#8, X.509 formats) */
  material: Buffer | undefined;
}

export class KmipClient {
  private idle: KmipConnection[] = [];
  private open = 0;
  private waiting: ((c: KmipConnection | undefined) => void)[] = [];
  private session: Buffer | undefined;
  private closed = false;
  /** connections made, and how many of them resumed a TLS session */
  readonly stats = { connections: 0, resumed: 0 };

  constructor(readonly options: KmipClientOptions) {}

  private async acquire(): Promise<KmipConnection> {
    for (;;) {
      const c = this.idle.pop();
      if (c === undefined) break;
      if (!c.closed) return c;
      this.open--;
    }
    if (this.open < this.options.connections) {
      this.open++;
      try {
        const c = await KmipConnection.open(this.options.tls, this.options.timeoutMs, this.session, (s) => (this.session = s));
        this.stats.connections++;
        if (c.resumed) this.stats.resumed++;
        return c;
      } catch (err) {
        this.open--;
        throw err;
      }
    }
    const c = await new Promise<KmipConnection | undefined>((resolve) => this.waiting.push(resolve));
    return c ?? this.acquire();
  }

  private release(c: KmipConnection): void {
    if (c.closed || this.closed) {
      this.open--;
      if (!this.closed) c.close();
      // A slot is free: a waiter may open its own connection.
      this.waiting.shift()?.(undefined);
      return;
    }
    const w = this.waiting.shift();
    if (w !== undefined) w(c);
    else this.idle.push(c);
  }

  /** Sends one request message of batch items; resolves with each item's result. */
  async batch(items: readonly BatchItem[]): Promise<BatchResult[]> {
    const message = encodeRequest(items);
    const c = await this.acquire();
    try {
      return decodeResponse(await c.request(message, this.options.timeoutMs), items);
    } finally {
      this.release(c);
    }
  }

  /** One operation: its response payload, or its KmipError thrown. */
  async call(operation: number, ...payload: (Item | undefined)[]): Promise<Item | undefined> {
    const [r] = await this.batch([{ operation, payload }]);
    if (!r!.ok) throw r!.error;
    return r!.payload;
  }

  /** Several operations in one message; throws the first failure. */
  async calls(items: readonly BatchItem[]): Promise<(Item | undefined)[]> {
    const results = await this.batch(items);
    return results.map((r) => {
      if (!r.ok) throw r.error;
      return r.payload;
    });
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle) c.close();
    this.idle = [];
    for (const w of this.waiting.splice(0)) w(undefined);
  }

  // The operations.

  /**
   * Create of a symmetric key, then Activate. Two messages: the one-message form (Activate with the
   * ID placeholder) is KMIP, but PyKMIP 0.10 cannot decode an Activate without its identifier.
   */
  async createSymmetric(t: KeyTemplate, activate = true): Promise<string> {
    const made = await this.call(Operation.Create, enm(Tag.ObjectType, ObjectType.SymmetricKey), templateAttributes(t));
    const uid = need(textOf(made, Tag.UniqueIdentifier), 'Unique Identifier');
    if (activate) await this.activate(uid);
    return uid;
  }

  /** Register of a symmetric key's bytes (HMAC keys: PyKMIP's Create makes only block-cipher keys). */
  async registerSymmetric(t: KeyTemplate, material: Buffer, activate = true): Promise<string> {
    const keyBlock = struct(
      Tag.KeyBlock,
      enm(Tag.KeyFormatType, 1),
      struct(Tag.KeyValue, bytes(Tag.KeyMaterial, material)),
      enm(Tag.CryptographicAlgorithm, t.algorithm),
      int(Tag.CryptographicLength, t.length),
    );
    const made = await this.call(Operation.Register, enm(Tag.ObjectType, ObjectType.SymmetricKey), templateAttributes(t), struct(Tag.SymmetricKey, keyBlock));
    const uid = need(textOf(made, Tag.UniqueIdentifier), 'Unique Identifier');
    if (activate) await this.activate(uid);
    return uid;
  }

  /** CreateKeyPair; the private key named `name`, the public key `name`-public. Activates both. */
  async createKeyPair(t: KeyTemplate): Promise<{ privateKey: string; publicKey: string }> {
    const common = struct(
      Tag.CommonTemplateAttribute,
      attribute('Cryptographic Algorithm', enm(0, t.algorithm)),
      attribute('Cryptographic Length', int(0, t.length)),
    );
    const priv = struct(
      Tag.PrivateKeyTemplateAttribute,
      t.name !== undefined ? nameAttribute(t.name) : undefined,
      attribute('Cryptographic Usage Mask', int(0, t.usageMask & ~UsageMask.Verify)),
    );
    const pub = struct(
      Tag.PublicKeyTemplateAttribute,
      t.name !== undefined ? nameAttribute(`${t.name}-public`) : undefined,
      attribute('Cryptographic Usage Mask', int(0, UsageMask.Verify)),
    );
    const made = need(await this.call(Operation.CreateKeyPair, common, priv, pub), 'response payload');
    const privateKey = need(textOf(made, Tag.PrivateKeyUniqueIdentifier), 'Private Key Unique Identifier');
    const publicKey = need(textOf(made, Tag.PublicKeyUniqueIdentifier), 'Public Key Unique Identifier');
    await this.calls([
      { operation: Operation.Activate, payload: [text(Tag.UniqueIdentifier, privateKey)] },
      { operation: Operation.Activate, payload: [text(Tag.UniqueIdentifier, publicKey)] },
    ]);
    return { privateKey, publicKey };
  }

  async activate(uid: string): Promise<void> {
    await this.call(Operation.Activate, text(Tag.UniqueIdentifier, uid));
  }

  /** The unique identifiers of the objects with this Name. */
  async locate(name: string): Promise<string[]> {
    const out = await this.call(Operation.Locate, nameAttribute(name));
    return children(out, Tag.UniqueIdentifier).map((i) => i.value as string);
  }

  async get(uid: string): Promise<GetResult> {
    const out = need(await this.call(Operation.Get, text(Tag.UniqueIdentifier, uid)), 'response payload');
    const objectType = need(numberOf(out, Tag.ObjectType), 'Object Type');
    const object =
      out.type === ItemType.Structure ? out.value.find((i) => i.tag === Tag.SymmetricKey || i.tag === Tag.PublicKey || i.tag === Tag.PrivateKey) : undefined;
    const block = child(object, Tag.KeyBlock);
    return {
      objectType,
      keyFormatType: numberOf(block, Tag.KeyFormatType),
      algorithm: numberOf(block, Tag.CryptographicAlgorithm),
      length: numberOf(block, Tag.CryptographicLength),
      material: bytesOf(child(block, Tag.KeyValue), Tag.KeyMaterial),
    };
  }

  /** The State attribute (1 pre-active, 2 active, ...), or undefined. */
  async state(uid: string): Promise<number | undefined> {
    const out = await this.call(Operation.GetAttributes, text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, 'State'));
    for (const a of children(out, Tag.Attribute)) {
      if (textOf(a, Tag.AttributeName) === 'State') return numberOf(a, Tag.AttributeValue);
    }
    return undefined;
  }

  async encrypt(
    uid: string,
    params: Item,
    data: Buffer,
    iv?: Buffer,
    aad?: Buffer,
  ): Promise<{ data: Buffer; iv: Buffer | undefined; tag: Buffer | undefined }> {
    const out = await this.call(
      Operation.Encrypt,
      text(Tag.UniqueIdentifier, uid),
      params,
      bytes(Tag.Data, data),
      iv !== undefined ? bytes(Tag.IvCounterNonce, iv) : undefined,
      aad !== undefined ? bytes(Tag.AuthenticatedEncryptionAdditionalData, aad) : undefined,
    );
    return { data: need(bytesOf(out, Tag.Data), 'Data'), iv: bytesOf(out, Tag.IvCounterNonce), tag: bytesOf(out, Tag.AuthenticatedEncryptionTag) };
  }

  async decrypt(uid: string, params: Item, data: Buffer, iv?: Buffer, tag?: Buffer, aad?: Buffer): Promise<Buffer> {
    const out = await this.call(
      Operation.Decrypt,
      text(Tag.UniqueIdentifier, uid),
      params,
      bytes(Tag.Data, data),
      iv !== undefined ? bytes(Tag.IvCounterNonce, iv) : undefined,
      aad !== undefined ? bytes(Tag.AuthenticatedEncryptionAdditionalData, aad) : undefined,
      tag !== undefined ? bytes(Tag.AuthenticatedEncryptionTag, tag) : undefined,
    );
    // An empty plaintext comes back as an empty (or absent) Data.
    return bytesOf(out, Tag.Data) ?? Buffer.alloc(0);
  }

  async sign(uid: string, params: Item, data: Buffer): Promise<Buffer> {
    const out = await this.call(Operation.Sign, text(Tag.UniqueIdentifier, uid), params, bytes(Tag.Data, data));
    return need(bytesOf(out, Tag.SignatureData), 'Signature Data');
  }

  async verify(uid: string, params: Item, data: Buffer, signature: Buffer): Promise<boolean> {
    const out = await this.call(Operation.SignatureVerify, text(Tag.UniqueIdentifier, uid), params, bytes(Tag.Data, data), bytes(Tag.SignatureData, signature));
    return need(numberOf(out, Tag.ValidityIndicator), 'Validity Indicator') === ValidityIndicator.Valid;
  }

  async mac(uid: string, params: Item, data: Buffer): Promise<Buffer> {
    const out = await this.call(Operation.Mac, text(Tag.UniqueIdentifier, uid), params, bytes(Tag.Data, data));
    return need(bytesOf(out, Tag.MacData), 'MAC Data');
  }

  /**
   * Destroys keys, many per message (batch items): Revoke (cessation of operation) then Destroy of
   * each key for which `revokeFirst` says so (an Active key must be revoked first; a Pre-Active key
   * cannot be), Destroy alone of the others. Throws the first failure.
   */
  async destroyKeys(uids: readonly string[], revokeFirst: (uid: string) => boolean): Promise<void> {
    const items: BatchItem[] = [];
    for (const uid of uids) {
      if (revokeFirst(uid)) {
        items.push({
          operation: Operation.Revoke,
          payload: [text(Tag.UniqueIdentifier, uid), struct(Tag.RevocationReason, enm(Tag.RevocationReasonCode, RevocationReasonCode.CessationOfOperation))],
        });
      }
      items.push({ operation: Operation.Destroy, payload: [text(Tag.UniqueIdentifier, uid)] });
    }
    if (items.length > 0) await this.calls(items);
  }

  /** Revoke (cessation of operation) then Destroy, in one message. */
  async revokeDestroy(uid: string): Promise<void> {
    await this.calls([
      {
        operation: Operation.Revoke,
        payload: [text(Tag.UniqueIdentifier, uid), struct(Tag.RevocationReason, enm(Tag.RevocationReasonCode, RevocationReasonCode.CessationOfOperation))],
      },
      { operation: Operation.Destroy, payload: [text(Tag.UniqueIdentifier, uid)] },
    ]);
  }
}

export { CryptographicAlgorithm };
