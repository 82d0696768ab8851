/**
 * The preflight of a KMS line: before t0, one real call with the settings its runners will use
 * (endpoint, region, credentials, timeout), so that missing credentials, a refused or silent
 * endpoint, an alias that does not exist or a key of the wrong kind is one line and exit 2 instead
 * of a full run of nothing but errors. The call: DescribeKey for a symmetric or HMAC key,
 * GetPublicKey for an RSA or ECC key (both say the key's spec and usage), GenerateRandom for a CUT
 * with no key.
 *
 * The call goes through `openPreflightClient`, the same factory of clients the runners use: a second
 * kind of client plugs in there, and the preflight checks what the runners will actually do.
 */
import { DescribeKeyCommand, GenerateRandomCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { errorType } from '../../cut/errorType.js';
import { createKmsSender, DEFAULT_TIMEOUT_MS, type KmsClientKind, type KmsClientOptions } from './client.js';
import { credentialSource, effectiveEndpoint, type CredentialSource } from './credentials.js';
import { keyRef, type KeyEntry } from '../model/keyfile.js';
import { SPEC_INFO } from '../model/specs.js';
import { schemeMismatch, speaksTls } from '../../transport/scheme.js';

export type PreflightOperation = 'DescribeKey' | 'GetPublicKey' | 'GenerateRandom';

/** What the preflight needs of a KMS client: one call, by operation name, and its end. */
export interface PreflightClient {
  call(op: PreflightOperation, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  destroy(): void;
}

/** The settings of a line's runners' clients: the client options and the kind (`--client`). */
export type PreflightSettings = KmsClientOptions & { client?: KmsClientKind };

/**
 * A client made exactly as a runner's is (createKmsSender, of the line's --client kind: the fast
 * client's signatures are the ones checked), without retries: one call is one request.
 */
export function openPreflightClient(settings: PreflightSettings): PreflightClient {
  const { client: kind, ...options } = settings;
  const client = createKmsSender(kind ?? 'fast', { ...options, retries: 0, maxSockets: 1 });
  return {
    call: async (op, input) => {
      const command =
        op === 'DescribeKey'
          ? new DescribeKeyCommand(input as { KeyId: string })
          : op === 'GetPublicKey'
            ? new GetPublicKeyCommand(input as { KeyId: string })
            : new GenerateRandomCommand(input as { NumberOfBytes: number });
      return (await client.send(command as DescribeKeyCommand)) as unknown as Record<string, unknown>;
    },
    destroy: () => client.destroy(),
  };
}

export type PreflightOutcome =
  | { ok: true; operation: PreflightOperation; credentials: CredentialSource; note?: string }
  | { ok: false; operation: PreflightOperation; credentials: CredentialSource; cause: string };

/** Answers that say the server is there but busy or failing now: tried again, and never fatal. */
const TRANSIENT = new Set(['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException', 'ServiceUnavailableException']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'SignatureDoesNotMatch',
]);
const ATTEMPTS = 3;

function operationFor(key: KeyEntry | undefined): { op: PreflightOperation; input: Record<string, unknown> } {
  if (key === undefined) return { op: 'GenerateRandom', input: { NumberOfBytes: 1 } };
  const family = SPEC_INFO[key.keySpec].family;
  return { op: family === 'rsa' || family === 'ecc' ? 'GetPublicKey' : 'DescribeKey', input: { KeyId: keyRef(key) } };
}

/** The key as the answer describes it, when it is not what the key file says; undefined when it matches. */
function wrongKind(key: KeyEntry, op: PreflightOperation, answer: Record<string, unknown>): string | undefined {
  const meta = (op === 'DescribeKey' ? answer.KeyMetadata : answer) as Record<string, unknown> | undefined;
  if (meta === undefined) return undefined;
  const spec = (meta.KeySpec ?? meta.CustomerMasterKeySpec) as string | undefined;
  const usage = meta.KeyUsage as string | undefined;
  if ((spec !== undefined && spec !== key.keySpec) || (usage !== undefined && usage !== key.keyUsage)) {
    return `is a ${spec ?? '?'} ${usage ?? '?'} key, but the key file says ${key.keySpec} ${key.keyUsage}: point the alias to a key of that kind, or fix the key file`;
  }
  const state = meta.KeyState as string | undefined;
  if (state !== undefined && state !== 'Enabled') return `is ${state}, not Enabled: enable it, or use another key`;
  return undefined;
}

/**
 * The answer of a server that does not speak the AWS KMS API ("HTTP 501, text/html": a web server, a
 * proxy's page), else undefined. A KMS answers in JSON (AWS JSON 1.1: application/x-amz-json-1.1) or
 * names its error in X-Amzn-ErrorType; a gateway's 502 / 503 / 504 page may hide a KMS that is busy
 * or down now, and is tried again as a KMS's own 5xx is.
 */
function notKmsAnswer(err: unknown): string | undefined {
  const e = err as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number; headers?: Record<string, string> } } | null;
  const status = e?.$response?.statusCode ?? e?.$metadata?.httpStatusCode;
  const headers = e?.$response?.headers;
  if (status === undefined || headers === undefined) return undefined;
  const header = (name: string): string | undefined => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const type = (header('content-type') ?? '').split(';')[0]!.trim();
  if (header('x-amzn-errortype') !== undefined || /json/i.test(type) || status === 502 || status === 503 || status === 504) return undefined;
  return `HTTP ${status}, ${type === '' ? 'no Content-Type' : type}`;
}

/** One line: what went wrong and what to do, for a failed preflight call. */
export function preflightCause(
  err: unknown,
  ctx: { where: string; op: PreflightOperation; key: KeyEntry | undefined; timeoutS: number; endpoint: string | undefined },
): string {
  const type = errorType(err);
  const name = err instanceof Error ? err.name : type;
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
  const { where, op, key } = ctx;
  // explained by the transport (src/transport/scheme.ts): https:// to a plain HTTP server, or the reverse
  if (schemeMismatch(err) !== undefined) return `${where}: ${message}`;
  const theKey = key === undefined ? '' : `key "${key.name}" (${keyRef(key)})`;
  if (name === 'CredentialsProviderError') {
    return (
      `no AWS credentials found for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), ` +
      `or any values for a KMS-compatible server that checks none`
    );
  }
  // The SDK says "Region is missing" when none is set, and refuses an empty AWS_REGION as a hostname.
  if (/region is missing|region=""/i.test(message)) return `no region for ${where}: give --region, or set AWS_REGION`;
  if (type === 'ECONNREFUSED') return `${where} refused the connection (ECONNREFUSED): is the server running? check --endpoint`;
  if (type === 'ENOTFOUND' || type === 'EAI_AGAIN' || type === 'EAI_NONAME' || type === 'EAI_FAIL') {
    return `the host of ${where} cannot be resolved (${type}): check --endpoint`;
  }
  if (type === 'TimeoutError') return `no answer from ${where} within --timeout ${ctx.timeoutS}s (TimeoutError): check --endpoint, or raise --timeout`;
  if (type === 'NotFoundException' && key !== undefined) {
    const target = ctx.endpoint !== undefined ? ` --endpoint ${ctx.endpoint}` : '';
    return `${theKey} does not exist at ${where} (NotFoundException): create the keys with \`pylogen kms setup${target}\`, or fix the key name or the key file`;
  }
  if (BAD_CREDENTIALS.has(type))
    return `${where} refused the credentials (${type}: ${message}): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or AWS_PROFILE`;
  if (type === 'AccessDeniedException') {
    return `${where} denied kms:${op}${theKey === '' ? '' : ` on ${theKey}`} (AccessDeniedException: ${message}): allow kms:${op} to these credentials, or skip this check with --no-preflight`;
  }
  if (type === 'DisabledException' || type === 'KMSInvalidStateException') {
    return `${theKey || 'the key'} at ${where} cannot be used (${type}: ${message}): enable it, or use another key`;
  }
  return `kms:${op}${theKey === '' ? '' : ` on ${theKey}`} at ${where} failed (${type}: ${message}): fix the cause, or skip this check with --no-preflight`;
}

/**
 * One preflight call with a runner's client settings and the key its CUT uses (undefined for a CUT
 * with no key). Bounded by settings.timeoutMs in all (a DNS lookup that hangs included). Throttling
 * and internal errors are tried again (up to 3 attempts) and, if they persist, pass with a note: the
 * endpoint answered, and measuring it under such faults is a fair use.
 */
export async function preflightKms(
  settings: PreflightSettings,
  key: KeyEntry | undefined,
  open: (s: PreflightSettings) => PreflightClient = openPreflightClient,
): Promise<PreflightOutcome> {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint = effectiveEndpoint(settings.endpoint);
  const where = endpoint ?? `AWS KMS${settings.region !== undefined ? ` in ${settings.region}` : ''}`;
  const { op, input } = operationFor(key);
  const credentials = await credentialSource(settings.endpoint, settings.credentials);
  const client = open({ ...settings, timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs + 250);
  });
  try {
    let lastTransient = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const answer = await Promise.race([client.call(op, input), deadline]);
        const wrong = key === undefined ? undefined : wrongKind(key, op, answer);
        if (wrong !== undefined) return { ok: false, operation: op, credentials, cause: `key "${key!.name}" (${keyRef(key!)}) at ${where} ${wrong}` };
        return { ok: true, operation: op, credentials };
      } catch (err) {
        const answer = notKmsAnswer(err);
        if (answer !== undefined) {
          // nginx answers a plain request to its TLS port with a 400 page: the scheme is what is wrong
          const tls = endpoint?.startsWith('http:') === true && (await speaksTls(new URL(endpoint).origin, timeoutMs));
          const cause = tls
            ? `${where}: the server speaks TLS: did you mean https://? (it answered ${answer})`
            : `${where}: does not speak the AWS KMS API (${answer})`;
          return { ok: false, operation: op, credentials, cause };
        }
        const type = errorType(err);
        if (!TRANSIENT.has(type) && !/^HTTP 5\d\d$/.test(type)) {
          return { ok: false, operation: op, credentials, cause: preflightCause(err, { where, op, key, timeoutS: timeoutMs / 1000, endpoint }) };
        }
        lastTransient = type;
      }
    }
    return { ok: true, operation: op, credentials, note: `${where} answered kms:${op} with ${lastTransient} ${ATTEMPTS} times: the key was not checked` };
  } catch (err) {
    return { ok: false, operation: op, credentials, cause: preflightCause(err, { where, op, key, timeoutS: timeoutMs / 1000, endpoint }) };
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
