/**
 * AWS Signature Version 4 with node:crypto: the fast KMS client signs with it, the embedded server
 * verifies with it. What @smithy/signature-v4 (the SDK's signer) computes, byte for byte — checked by
 * test/sigv4.test.ts against it on generated requests — at a fraction of its cost: the signing key is
 * derived once per secret, day, region and service (four HMACs), then a request costs two SHA-256
 * and one HMAC. The algorithm: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHmac, hash } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The credentials a request is signed with (the SDK's AwsCredentialIdentity, minus what signing ignores). */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Headers the SDK's signer never signs (@smithy/signature-v4 ALWAYS_UNSIGNABLE_HEADERS), plus the
 * proxy-* and sec-* families it skips.
 */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

export function isSignableHeader(lowerName: string): boolean {
  return !UNSIGNABLE.has(lowerName) && !lowerName.startsWith('proxy-') && !lowerName.startsWith('sec-');
}

/** `20261123T161726Z` of a date (whole seconds, UTC), as x-amz-date carries it. */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** crypto.hash, the one-shot digest (Node 20.12+): no Hash object, no stream machinery, per call. */
export const sha256Hex = (data: string | Uint8Array): string => hash('sha256', data, 'hex');

/** The derived signing key: HMAC chain over day, region, service and "aws4_request". */
export function deriveSigningKey(secret: string, day: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(day).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/** RFC 3986 escaping, as the SDK's escapeUri does (encodeURIComponent plus !'()*). */
const escapeUri = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The canonical URI of a path, as @smithy/signature-v4 makes it (dot segments removed, escaped twice). */
export function canonicalPath(path: string): string {
  if (path === '/') return '/';
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg.length === 0 || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** What canonicalValue would change: a line break, a tab, two blanks, a leading or a trailing blank. */
const NOT_CANONICAL = /[\r\n\t]| {2}|^ | $/;
const canonicalValue = (v: string): string =>
  NOT_CANONICAL.test(v)
    ? v
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .replace(/^ | $/g, '')
    : v;

/**
 * The canonical headers block and the signed-headers list of a request's headers (names lower case).
 * Values as the SDK canonicalizes them: line breaks and runs of blanks become one space, and one
 * leading and one trailing space go.
 */
export function canonicalHeaders(headers: Readonly<Record<string, string>>, only?: readonly string[]): { block: string; signed: string } {
  return canonicalBlock(headers, (only ?? Object.keys(headers).filter(isSignableHeader)).slice().sort());
}

/** The canonical headers block of the headers `names` (sorted, signable) and the signed-headers list. */
function canonicalBlock(headers: Readonly<Record<string, string>>, names: readonly string[]): { block: string; signed: string } {
  let block = '';
  for (const name of names) block += `${name}:${canonicalValue(headers[name] ?? '')}\n`;
  return { block, signed: names.join(';') };
}

export interface RequestToSign {
  method: string;
  /** the path, without query (KMS: always "/") */
  path: string;
  /** lower-case names; must include host (and x-amz-date, and x-amz-security-token with a session token) */
  headers: Readonly<Record<string, string>>;
  /** hex SHA-256 of the body */
  payloadHash: string;
}

/** The signature (hex) of a request under a derived signing key. */
export function signatureOf(
  req: RequestToSign,
  signingKey: Buffer,
  longDate: string,
  scope: string,
  only?: readonly string[],
): { signature: string; signedHeaders: string } {
  return signatureOfBlock(req, signingKey, longDate, scope, canonicalHeaders(req.headers, only));
}

function signatureOfBlock(
  req: RequestToSign,
  signingKey: Buffer,
  longDate: string,
  scope: string,
  headers: { block: string; signed: string },
): { signature: string; signedHeaders: string } {
  const { block, signed } = headers;
  const canonical = `${req.method}\n${canonicalPath(req.path)}\n\n${block}\n${signed}\n${req.payloadHash}`;
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${sha256Hex(canonical)}`;
  return { signature: createHmac('sha256', signingKey).update(stringToSign).digest('hex'), signedHeaders: signed };
}

/**
 * Signs requests for one service and region, caching the signing key of the last secret and day:
 * the hot path of the fast client derives it once a day, not once a request.
 */
export class SigV4Signer {
  private keyFor = '';
  private key: Buffer = Buffer.alloc(0);
  /** x-amz-date of the last second signed in, and that second: a client signs thousands a second */
  private second = Number.NaN;
  private longDate = '';
  /** the sorted signable names of the last header set (a client sends the same names every time) */
  private namesOf = '';
  private names: readonly string[] = [];
  /**
   * The last request signed: its canonical headers (x-amz-date, hence its second, included), body
   * and credentials, and its authorization. A client that sends the same request again within the
   * second (a KMS load: the same key, the same plaintext) gets the same signature, which SigV4 makes
   * a function of these alone: it is reused, not computed again.
   */
  private lastBlock = '';
  private lastBody: string | Uint8Array = '';
  private lastAk = '';
  private lastSecret = '';
  private lastAuthorization = '';

  constructor(
    readonly region: string,
    readonly service = 'kms',
  ) {}

  private signingKey(secret: string, day: string): Buffer {
    const id = `${day}\n${secret}`;
    if (id !== this.keyFor) {
      this.key = deriveSigningKey(secret, day, this.region, this.service);
      this.keyFor = id;
    }
    return this.key;
  }

  /**
   * Adds x-amz-date, x-amz-security-token (with a session token) and authorization to `headers`
   * (lower-case names, host included) for a request with this body, signed at `date` (default: now).
   * What repeats from one request to the next is made once (the date string of a second, the
   * sorted names of a header set): bench/sigv4.js measures a request's signing alone.
   */
  sign(method: string, path: string, headers: Record<string, string>, body: string | Uint8Array, creds: SigningCredentials, date?: Date): void {
    const second = Math.floor((date === undefined ? Date.now() : date.getTime()) / 1000);
    if (second !== this.second) {
      this.second = second;
      this.longDate = amzDate(new Date(second * 1000));
    }
    const longDate = this.longDate;
    const day = longDate.slice(0, 8);
    headers['x-amz-date'] = longDate;
    if (creds.sessionToken !== undefined && creds.sessionToken !== '') headers['x-amz-security-token'] = creds.sessionToken;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const keys = Object.keys(headers);
    const namesOf = keys.join('\n');
    if (namesOf !== this.namesOf) {
      this.namesOf = namesOf;
      this.names = keys.filter(isSignableHeader).sort();
    }
    const canonical = canonicalBlock(headers, this.names);
    const block = `${method} ${path}\n${canonical.block}`;
    if (
      block === this.lastBlock &&
      typeof body === 'string' &&
      body === this.lastBody &&
      creds.accessKeyId === this.lastAk &&
      creds.secretAccessKey === this.lastSecret
    ) {
      headers.authorization = this.lastAuthorization;
      return;
    }
    const req = { method, path, headers, payloadHash: sha256Hex(body) };
    const { signature, signedHeaders } = signatureOfBlock(req, this.signingKey(creds.secretAccessKey, day), longDate, scope, canonical);
    headers.authorization = `${ALGORITHM} Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    this.lastBlock = block;
    this.lastBody = body;
    this.lastAk = creds.accessKeyId;
    this.lastSecret = creds.secretAccessKey;
    this.lastAuthorization = headers.authorization;
  }
}
