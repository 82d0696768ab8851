/**
 * SigV4 verification for the embedded server (`kms serve --credentials`, `--endpoint local`): every
 * request's signature is recomputed from what arrived (method, path, the signed headers, the body's
 * SHA-256) with the one secret the server knows, and refused as AWS refuses it:
 * - no Authorization header: MissingAuthenticationTokenException;
 * - an Authorization header without its parts, or without host / x-amz-date signed:
 *   IncompleteSignatureException;
 * - an access key (or session token) the server does not know: UnrecognizedClientException;
 * - a scope of another day, region or service, a signature that does not match, a request signed
 *   more than 5 minutes before or after now: InvalidSignatureException (the "Signature expired"
 *   wording is the one the SDK's retry treats as clock skew).
 * Messages never contain the secret, the signature or the access key id.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KmsError } from './errors.js';
import { ALGORITHM, amzDate, deriveSigningKey, signatureOf, type SigningCredentials } from '../model/sigv4.js';

/** AWS's tolerance between a request's x-amz-date and the server's clock. */
export const MAX_SKEW_MS = 5 * 60_000;

const incomplete = (message: string): KmsError => new KmsError('IncompleteSignatureException', message);
const invalid = (message: string): KmsError => new KmsError('InvalidSignatureException', message);
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const UNRECOGNIZED = new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.');

/** `ACCESS_KEY:SECRET[:SESSION_TOKEN]` (the secret may contain no colon; AWS secrets never do). */
export function parseCredentials(text: string): SigningCredentials | string {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    return 'must be ACCESS_KEY:SECRET (or ACCESS_KEY:SECRET:SESSION_TOKEN)';
  }
  const [accessKeyId, secretAccessKey, sessionToken] = parts as [string, string, string | undefined];
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseAmzDate(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (m === null) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : t;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

export class SignatureVerifier {
  private keyDay = '';
  private key: Buffer = Buffer.alloc(0);

  constructor(
    private readonly creds: SigningCredentials,
    private readonly region: string,
    private readonly service = 'kms',
    private readonly now: () => number = Date.now,
  ) {}

  private signingKey(day: string): Buffer {
    if (day !== this.keyDay) {
      this.key = deriveSigningKey(this.creds.secretAccessKey, day, this.region, this.service);
      this.keyDay = day;
    }
    return this.key;
  }

  /**
   * What the headers alone tell (the signature present and well formed, the access key known, the
   * date in range): checked before the body is read, so that an unsigned or unknown caller costs no
   * body buffer (src/kms/server/server.ts). Undefined when they pass.
   */
  checkHeaders(headers: IncomingHttpHeaders): KmsError | undefined {
    const parsed = this.parse(headers);
    return parsed instanceof KmsError ? parsed : undefined;
  }

  /** Undefined when the request is signed by the server's credentials, else the error to answer. */
  check(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): KmsError | undefined {
    const parsed = this.parse(headers);
    if (parsed instanceof KmsError) return parsed;
    const { signed, day, region, service, longDate, signature: given } = parsed;
    const values: Record<string, string> = {};
    for (const name of signed) values[name] = header(headers, name) ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const { signature } = signatureOf(
      { method, path, headers: values, payloadHash },
      this.signingKey(day),
      longDate,
      `${day}/${region}/${service}/aws4_request`,
      signed,
    );
    return signature === given ? undefined : invalid(MISMATCH);
  }

  private parse(
    headers: IncomingHttpHeaders,
  ): KmsError | { signed: string[]; day: string; region: string; service: string; longDate: string; signature: string } {
    const auth = header(headers, 'authorization');
    if (auth === undefined || auth === '') return new KmsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (!auth.startsWith(`${ALGORITHM} `)) return incomplete(`Authorization header requires the ${ALGORITHM} algorithm.`);
    const params = new Map<string, string>();
    for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((p) => !params.get(p));
    if (missing.length > 0) return incomplete(missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '));
    const credential = params.get('Credential')!.split('/');
    if (credential.length !== 5 || credential[4] !== 'aws4_request') {
      return incomplete('Credential should have the form ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request.');
    }
    const [accessKeyId, day, region, service] = credential as [string, string, string, string];
    const signed = params.get('SignedHeaders')!.split(';');
    const longDate = header(headers, 'x-amz-date');
    if (longDate === undefined) return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    if (!signed.includes('host')) return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    if (!signed.includes('x-amz-date')) return incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
    if (accessKeyId !== this.creds.accessKeyId) return UNRECOGNIZED;
    const token = header(headers, 'x-amz-security-token');
    if (this.creds.sessionToken !== undefined && token !== this.creds.sessionToken) return UNRECOGNIZED;
    if (token !== undefined && !signed.includes('x-amz-security-token'))
      return incomplete("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");
    const at = parseAmzDate(longDate);
    if (at === undefined) return incomplete(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
    if (longDate.slice(0, 8) !== day)
      return invalid(
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${longDate.slice(0, 8)}', from '${longDate}'.`,
      );
    if (region !== this.region) return invalid(`Credential should be scoped to a valid region, not '${region.slice(0, 40)}'. `);
    if (service !== this.service) return invalid(`Credential should be scoped to correct service: '${this.service}'. `);
    const now = this.now();
    if (at < now - MAX_SKEW_MS) {
      return invalid(`Signature expired: ${longDate} is now earlier than ${amzDate(new Date(now - MAX_SKEW_MS))} (${amzDate(new Date(now))} - 5 min.)`);
    }
    if (at > now + MAX_SKEW_MS) {
      return invalid(`Signature not yet current: ${longDate} is still later than ${amzDate(new Date(now + MAX_SKEW_MS))} (${amzDate(new Date(now))} + 5 min.)`);
    }
    return { signed, day, region, service, longDate, signature: params.get('Signature')! };
  }
}
