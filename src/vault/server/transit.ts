/**
 * The Transit endpoints of one mount (`/v1/{mount}/...`), as Vault's API reference gives them: keys
 * (create, read, list, rotate), encrypt (which creates a missing key, as Vault's upsert does),
 * decrypt, rewrap, datakey/{plaintext|wrapped}, sign, verify (signature or hmac), hmac, random.
 * `batch_input` is taken wherever Vault takes it; each item answers in `batch_results` (its own
 * `error` when it fails, its `reference` echoed), and a batch with a failed item answers 400 unless
 * `partial_failure_response_code` says otherwise.
 */
import { randomBytes } from 'node:crypto';
import { HASHES, KEY_TYPES, MAX_RANDOM_BYTES, type KeyType } from '../model.js';
import { TransitError, TransitKey } from './keys.js';

export type Json = Record<string, unknown>;
/** What a handler gives: the `data` of the answer (null: 204), its status and its warnings. */
export interface Outcome {
  status: number;
  data: Json | null;
  warnings?: string[];
}

const bad = (message: string): TransitError => new TransitError(400, message);
const ok = (data: Json | null, status = 200): Outcome => ({ status: data === null ? 204 : status, data });
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function b64(o: Json, field: string, required: boolean, what = field): Buffer | undefined {
  const v = o[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw bad(`missing ${what}`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length % 4 !== 0 || !B64.test(v)) throw bad(`failed to base64-decode ${field}`);
  return Buffer.from(v, 'base64');
}

function str(o: Json, field: string, fallback: string): string {
  const v = o[field];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string') throw bad(`${field}: expected a string`);
  return v;
}

function int(o: Json, field: string, fallback: number): number {
  const v = o[field];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(`${field}: expected an integer`);
  return n;
}

function bool(o: Json, field: string): boolean {
  const v = o[field];
  return v === true || v === 'true' || v === 1 || v === '1';
}

export class TransitMount {
  readonly keys = new Map<string, TransitKey>();

  constructor(readonly path: string) {}

  /** Creates a key (or keeps an existing one, with Vault's warning). */
  createKey(name: string, o: Json): Outcome {
    const type = str(o, 'type', 'aes256-gcm96');
    if (!(KEY_TYPES as readonly string[]).includes(type)) throw bad(`unknown key type: ${type}`);
    const existing = this.keys.get(name);
    if (existing !== undefined) return { ...ok(existing.describe()), warnings: [`key ${name} already existed`] };
    const keySize = int(o, 'key_size', 32);
    if (type === 'hmac' && (keySize < 16 || keySize > 512)) throw bad('invalid key_size; must be between 16 and 512 bytes');
    const key = new TransitKey(name, type as KeyType, { derived: bool(o, 'derived'), exportable: bool(o, 'exportable'), keySize });
    this.keys.set(name, key);
    return ok(key.describe());
  }

  private key(name: string, missing: string): TransitKey {
    const key = this.keys.get(name);
    if (key === undefined) throw bad(missing);
    return key;
  }

  /** `rest`: the path after the mount, split on '/'. */
  handle(method: string, rest: string[], body: Json, list: boolean): Outcome | undefined {
    const [what, name, extra, more] = rest;
    if (what === 'keys') {
      if (name === undefined || name === '') {
        if (method !== 'LIST' && !(method === 'GET' && list)) return undefined;
        return this.keys.size === 0 ? { status: 404, data: null } : ok({ keys: [...this.keys.keys()].sort() });
      }
      if (extra === 'rotate' && method === 'POST') {
        const key = this.key(name, 'key not found');
        key.rotate();
        return ok(key.describe());
      }
      if (extra !== undefined) return undefined;
      if (method === 'GET') {
        const key = this.keys.get(name);
        return key === undefined ? { status: 404, data: null } : ok(key.describe());
      }
      if (method === 'POST' || method === 'PUT') return this.createKey(name, body);
      if (method === 'DELETE') {
        if (!this.keys.has(name)) return ok(null);
        throw bad('deletion is not allowed for this key');
      }
      return undefined;
    }
    if (what === 'export' && method === 'GET' && name !== undefined && extra !== undefined) return this.exportKey(name, extra, more);
    if (method !== 'POST' && method !== 'PUT') return undefined;
    if (what === 'random')
      return this.random(
        body,
        [name, extra].filter((s): s is string => s !== undefined),
      );
    if (name === undefined || name === '') return undefined;
    switch (what) {
      case 'encrypt':
        return extra === undefined ? this.encrypt(name, body) : undefined;
      case 'decrypt':
        return extra === undefined ? this.batch(body, (item) => this.decryptOne(name, item)) : undefined;
      case 'rewrap':
        return extra === undefined ? this.batch(body, (item) => this.rewrapOne(name, item)) : undefined;
      case 'datakey':
        return extra !== undefined && more === undefined ? this.datakey(extra, name, body) : undefined;
      case 'sign':
        return more === undefined
          ? this.batch(body, (item) => this.signOne(name, item, extra ?? str(body, 'hash_algorithm', str(body, 'algorithm', 'sha2-256')), body))
          : undefined;
      case 'verify':
        return more === undefined ? this.batch(body, (item) => this.verifyOne(name, item, extra, body)) : undefined;
      case 'hmac':
        return more === undefined ? this.batch(body, (item) => this.hmacOne(name, item, extra ?? str(body, 'algorithm', 'sha2-256'))) : undefined;
      default:
        return undefined;
    }
  }

  /** `export/{encryption-key|hmac-key|signing-key}/{name}[/{version}]` of an exportable key. */
  private exportKey(kind: string, name: string, version: string | undefined): Outcome {
    if (kind !== 'encryption-key' && kind !== 'hmac-key' && kind !== 'signing-key') throw bad('invalid export type');
    const key = this.keys.get(name);
    if (key === undefined) return { status: 404, data: null };
    if (!key.exportable) throw bad('key is not exportable');
    const keys: Record<string, string> = {};
    key.versions.forEach((v, i) => {
      if (version !== undefined && version !== 'latest' && Number(version) !== i + 1) return;
      if (version === 'latest' && i + 1 !== key.latest) return;
      if (kind === 'hmac-key') keys[String(i + 1)] = (key.type === 'hmac' ? v.secret! : v.hmacKey).toString('base64');
      else if (kind === 'encryption-key' && v.secret !== undefined && key.type !== 'hmac') keys[String(i + 1)] = v.secret.toString('base64');
      else if (kind === 'signing-key' && v.privateKey !== undefined) keys[String(i + 1)] = v.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      else throw bad(`${kind} is not supported for key type ${key.type}`);
    });
    if (Object.keys(keys).length === 0) throw bad('version not found');
    return ok({ name, type: key.type, keys });
  }

  /** Runs `one` on the request, or on each item of its batch_input. */
  private batch(body: Json, one: (item: Json) => Json): Outcome {
    const input = body.batch_input;
    if (input === undefined || input === null) return ok(one(body));
    if (!Array.isArray(input)) throw bad('failed to parse batch input: expected a list');
    if (input.length === 0) throw bad('missing batch input to process');
    let failed = 0;
    // Items inherit what is not per item (hash_algorithm, signature_algorithm, ...) from the request;
    // a request of batch_input alone (the usual encrypt / decrypt) is served without a copy per item.
    const shared = Object.keys(body).some((k) => k !== 'batch_input');
    const results = input.map((raw: unknown) => {
      const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
      const merged = shared ? { ...body, batch_input: undefined, ...item } : item;
      try {
        const out = one(merged);
        if (typeof item.reference === 'string') out.reference = item.reference;
        return out;
      } catch (err) {
        if (!(err instanceof TransitError)) throw err;
        failed++;
        return typeof item.reference === 'string' ? { error: err.message, reference: item.reference } : { error: err.message };
      }
    });
    const partial = int(body, 'partial_failure_response_code', 0);
    const status = failed === 0 ? 200 : failed < results.length && partial !== 0 ? partial : 400;
    return { status, data: { batch_results: results } };
  }

  private encrypt(name: string, body: Json): Outcome {
    if (!this.keys.has(name)) {
      // Vault's encrypt upserts: the key is created with the request's type (and derived when a context is given).
      const ctx = body.context ?? (Array.isArray(body.batch_input) ? (body.batch_input[0] as Json | undefined)?.context : undefined);
      this.createKey(name, { type: str(body, 'type', 'aes256-gcm96'), derived: ctx !== undefined && ctx !== '' });
    }
    const key = this.keys.get(name)!;
    return this.batch(body, (item) => {
      const plaintext = b64(item, 'plaintext', false) ?? (item.plaintext === '' ? Buffer.alloc(0) : undefined);
      if (plaintext === undefined) throw bad('missing plaintext to encrypt');
      return key.encrypt(plaintext, b64(item, 'context', false), b64(item, 'associated_data', false), int(item, 'key_version', 0));
    });
  }

  private decryptOne(name: string, item: Json): Json {
    const key = this.key(name, 'encryption key not found');
    const ciphertext = str(item, 'ciphertext', '');
    if (ciphertext === '') throw bad('missing ciphertext to decrypt');
    return { plaintext: key.decrypt(ciphertext, b64(item, 'context', false), b64(item, 'associated_data', false)).toString('base64') };
  }

  private rewrapOne(name: string, item: Json): Json {
    const key = this.key(name, 'encryption key not found');
    const ciphertext = str(item, 'ciphertext', '');
    if (ciphertext === '') throw bad('missing ciphertext to decrypt');
    const context = b64(item, 'context', false);
    const plaintext = key.decrypt(ciphertext, context, undefined);
    return key.encrypt(plaintext, context, undefined, int(item, 'key_version', 0));
  }

  private datakey(name: string, kind: string, body: Json): Outcome {
    if (kind !== 'plaintext' && kind !== 'wrapped') throw bad(`invalid type ${kind}`);
    const key = this.key(name, 'encryption key not found');
    const bits = int(body, 'bits', 256);
    if (bits !== 128 && bits !== 256 && bits !== 512) throw bad('invalid bits length');
    const secret = randomBytes(bits / 8);
    const out = key.encrypt(secret, b64(body, 'context', false), undefined, int(body, 'key_version', 0));
    return ok(kind === 'plaintext' ? { ...out, plaintext: secret.toString('base64') } : out);
  }

  private signOptions(item: Json, hash: string, version: number) {
    return {
      hash,
      prehashed: bool(item, 'prehashed'),
      signatureAlgorithm: str(item, 'signature_algorithm', 'pss'),
      marshaling: str(item, 'marshaling_algorithm', 'asn1'),
      version,
    };
  }

  private signOne(name: string, item: Json, hash: string, _body: Json): Json {
    const key = this.key(name, 'signing key not found');
    const input = b64(item, 'input', true, 'input');
    return key.sign(input!, this.signOptions(item, hash, int(item, 'key_version', 0)));
  }

  private verifyOne(name: string, item: Json, urlHash: string | undefined, body: Json): Json {
    const input = b64(item, 'input', true, 'input')!;
    const hmac = str(item, 'hmac', '');
    const signature = str(item, 'signature', '');
    if (hmac !== '' && signature !== '') throw bad('provide one of "signature" or "hmac", not both');
    if (hmac !== '') {
      const key = this.key(name, 'encryption key not found');
      return { valid: key.verifyHmac(input, hmac, urlHash ?? str(body, 'algorithm', str(body, 'hash_algorithm', 'sha2-256'))) };
    }
    if (signature === '') throw bad('missing signature or hmac to verify');
    const key = this.key(name, 'signature verification key not found');
    const hash = urlHash ?? str(item, 'hash_algorithm', str(item, 'algorithm', 'sha2-256'));
    return { valid: key.verifySignature(input, signature, this.signOptions(item, hash, 0)) };
  }

  private hmacOne(name: string, item: Json, algorithm: string): Json {
    const key = this.key(name, 'encryption key not found');
    const input = b64(item, 'input', true, 'input for HMAC');
    if (HASHES[algorithm] === undefined) throw bad(`unsupported algorithm ${algorithm}`);
    return { hmac: key.hmac(input!, algorithm, int(item, 'key_version', 0)) };
  }

  /** `random[/{source}][/{bytes}]`, also sys/tools/random. */
  random(body: Json, parts: string[]): Outcome {
    let bytes = int(body, 'bytes', 32);
    let source = str(body, 'source', 'platform');
    for (const p of parts) {
      if (/^\d+$/.test(p)) bytes = Number(p);
      else source = p;
    }
    if (!['platform', 'seal', 'all'].includes(source))
      throw bad(`unsupported entropy source ${JSON.stringify(source)}; must be "platform" or "seal", or "all"`);
    if (bytes < 1) throw bad('missing bytes');
    if (bytes > MAX_RANDOM_BYTES) throw bad(`exceeded maximum allowed bytes ${MAX_RANDOM_BYTES}`);
    const format = str(body, 'format', 'base64');
    if (format !== 'base64' && format !== 'hex') throw bad(`unsupported encoding format ${format}; must be "base64" or "hex"`);
    return ok({ random_bytes: randomBytes(bytes).toString(format) });
  }
}
