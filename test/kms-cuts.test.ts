/**
 * Every shipped KMS CUT end to end: the real CLI spawned against the embedded server (started here,
 * once, on port 0, verifying every SigV4 signature as `kms serve --credentials` does: its two RSA keys
 * are generated once for the whole file), and against `--endpoint local`, with both clients
 * (`--client fast` and `--client sdk`) over real HTTP. Also: the refusals before start (lengths KMS would refuse, an
 * unknown key), wrong results counted as errors (through a proxy that tampers with the server's
 * answers, as a broken KMS would), and the certificates' structure for every signing algorithm.
 */
import { GetPublicKeyCommand, SignCommand, type KMSClient, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { createHash, X509Certificate } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateBuilder } from '../src/kms/client/certificate.js';
import { createKmsClient } from '../src/kms/client/client.js';
import { loadKeyFile } from '../src/kms/model/keyfile.js';
import { lengthProblem } from '../src/kms/model/lengthLimits.js';
import { publicKeyFromSpki, signatureVerifier } from '../src/kms/client/localCrypto.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { algorithmsFor, signingHash, type SigningAlgorithm } from '../src/kms/model/specs.js';
import { csvRows, pylogen, ROOT, tempDir, type CsvRow } from './helpers.js';
import { CREDENTIALS } from './kms-helpers.js';

let server: KmsServerHandle;
let tamper: { url: string; close(): Promise<void> };
let kms: KMSClient;
let keyDir: string;

/** The runners sign with throwaway credentials; nothing of the user's AWS setup may leak in. */
const ENV = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };

beforeAll(async () => {
  const { entries } = loadKeyFile('KmsDefault.json', ROOT, ROOT);
  server = await startKmsServer({ port: 0, keys: [...entries.values()], credentials: CREDENTIALS });
  tamper = await startTamperingProxy(server.url);
  kms = createKmsClient({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS });
  // A user's key file naming the server's RSA signing key with other algorithms than KmsDefault.json.
  keyDir = tempDir('pylogen-kms-cuts-');
  writeFileSync(
    join(keyDir, 'MyKeys.json'),
    JSON.stringify({
      pkcs384: { alias: 'alias/pylogen-rsa2048', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_384', sha: 'sha384' },
    }),
  );
  writeFileSync(
    join(keyDir, 'MyPss.json'),
    JSON.stringify({ pss512: { alias: 'alias/pylogen-rsa2048', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', signingAlgorithm: 'RSASSA_PSS_SHA_512' } }),
  );
});

afterAll(async () => {
  kms?.destroy();
  await tamper?.close();
  await server?.close();
});

/**
 * A bound for a run of many runners on a loaded machine (2 cores shared with other test files, and
 * with other suites: a sweep of 11 runner processes has been seen to take 60 s at a load average of 40).
 */
const SLOW = 150_000;

/** A quoted word of a scenario line (shell-like quoting, no shell). */
const q = (word: string): string => `'${word}'`;

interface Line {
  id: string;
  cut: string;
  e: Expected;
  endpoint?: string;
  client?: 'fast' | 'sdk';
}

/**
 * Runs lines at once through one `pylogen scenario` (one main process, one runner per line): the
 * same CLI, runners and CUTs as one run per line, at a fraction of the processes.
 */
async function runScenario(lines: Line[]): Promise<{ code: number | null; stderr: string; rows: CsvRow[] }> {
  const file = join(keyDir, `scenario-${lines[0]!.id}.txt`);
  const text = lines.map(
    (l) =>
      `cuts.${l.cut} --id ${l.id} --endpoint ${l.endpoint ?? server.url} --client ${l.client ?? 'fast'} --loops 3 --proc 1 --lengths ${l.e.lengths}` +
      (l.e.extra === undefined ? '' : ` --extra ${q(JSON.stringify(l.e.extra))}`),
  );
  writeFileSync(file, `${text.join('\n')}\n`);
  const r = await pylogen(['scenario', '--file', file], { env: ENV, timeoutMs: SLOW });
  return { code: r.code, stderr: r.stderr, rows: csvRows(r.stdout) };
}

/** A promise made on first use: several tests read the rows of one run. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

/** What one run of a CUT must show: its requests in order, and its transaction when it has several. */
interface Expected {
  requests: string[];
  transaction?: string;
  lengths: string;
  extra?: Record<string, unknown>;
}

/** Checks the rows of a clean run: every operation of every length, its requests, its transaction, no error. */
function expectClean(rows: CsvRow[], cut: string, e: Expected): void {
  const bad = rows.filter((x) => x.rc !== '0' || x.error !== '');
  expect(bad.map((x) => `${x.request}: ${x.error}`)).toEqual([]);
  const lengths = e.lengths.split(',');
  const ops = 3 * lengths.length;
  const req = rows.filter((x) => x.nature === 'req');
  const tra = rows.filter((x) => x.nature === 'tra');
  expect(rows.every((x) => x.cut === cut)).toBe(true);
  for (const name of e.requests) {
    const mine = req.filter((x) => x.request === name);
    expect(mine, name).toHaveLength(ops);
    for (const l of lengths)
      expect(
        mine.filter((x) => x.step === l),
        `${name} ${l}`,
      ).toHaveLength(3);
  }
  expect(req).toHaveLength(ops * e.requests.length);
  if (e.transaction === undefined) {
    expect(tra).toHaveLength(0);
    expect(req.every((x) => x.transaction === '')).toBe(true);
  } else {
    expect(tra).toHaveLength(ops);
    for (const t of tra) {
      expect(t.request).toBe(e.transaction);
      expect(req.filter((x) => x.transaction === t.transaction).map((x) => x.request)).toEqual(e.requests);
    }
  }
}

const SHIPPED: Record<string, Expected> = {
  KmsEncryptSymmetric: { requests: ['ENCRYPT'], lengths: '16,4096' },
  KmsDecrypt: { requests: ['DECRYPT'], lengths: '1,4096' },
  KmsEncryptDecrypt: { requests: ['ENCRYPT', 'DECRYPT'], transaction: 'ENCRYPT-DECRYPT', lengths: '16,4096' },
  KmsReEncrypt: { requests: ['RE-ENCRYPT'], lengths: '16,4096' },
  KmsGenerateDataKey: { requests: ['GENERATE-DATA-KEY', 'LOCAL-ENCRYPT'], transaction: 'ENVELOPE-ENCRYPT', lengths: '0,65536' },
  KmsSignature: { requests: ['SIGN'], lengths: '0,8192' },
  KmsVerify: { requests: ['VERIFY'], lengths: '0,8192' },
  KmsSignLocalVerify: { requests: ['SIGN', 'LOCAL-VERIFY'], transaction: 'SIGN-LOCAL-VERIFY', lengths: '0,8192' },
  KmsMac: { requests: ['GENERATE-MAC', 'VERIFY-MAC'], transaction: 'GENERATE-VERIFY-MAC', lengths: '1,4096' },
  KmsGenerateRandom: { requests: ['GENERATE-RANDOM'], lengths: '1,1024' },
  KmsCertificate: { requests: ['SIGN-CERTIFICATE', 'VERIFY-CERTIFICATE'], transaction: 'ISSUE-CERTIFICATE', lengths: '16' },
};

/** Other keys and options of the CUTs, including a key file of one's own (MyKeys.json, MyPss.json). */
const VARIANTS: Array<Omit<Line, 'e'> & { e: Expected }> = [
  { id: 'rsa-rt', cut: 'KmsEncryptDecrypt', e: { ...SHIPPED.KmsEncryptDecrypt!, lengths: '1,190', extra: { key: 'rsaencrypt' } } },
  { id: 'rsa-dest', cut: 'KmsReEncrypt', e: { ...SHIPPED.KmsReEncrypt!, lengths: '1,190', extra: { destinationKey: 'rsaencrypt' } } },
  { id: 'context', cut: 'KmsDecrypt', e: { ...SHIPPED.KmsDecrypt!, lengths: '16', extra: { context: { tenant: 'pylogen', purpose: 'test' } } } },
  { id: 'raw-sign', cut: 'KmsSignature', e: { ...SHIPPED.KmsSignature!, lengths: '1,4096', extra: { messageType: 'RAW', key: 'ecc256' } } },
  { id: 'raw-verify', cut: 'KmsVerify', e: { ...SHIPPED.KmsVerify!, lengths: '1,4096', extra: { messageType: 'RAW', key: 'rsa2048' } } },
  { id: 'raw-probe', cut: 'KmsSignLocalVerify', e: { ...SHIPPED.KmsSignLocalVerify!, lengths: '1,100', extra: { messageType: 'RAW', key: 'signature384' } } },
  { id: 'pss-cert', cut: 'KmsCertificate', e: { ...SHIPPED.KmsCertificate!, extra: { key: 'rsa2048', subject: { CN: 'Test CA', C: 'FR' }, days: 30 } } },
  { id: 'pkcs-cert', cut: 'KmsCertificate', e: { ...SHIPPED.KmsCertificate!, extra: { file: 'MY_KEYS', key: 'pkcs384' } } },
  { id: 'pss512-probe', cut: 'KmsSignLocalVerify', e: { ...SHIPPED.KmsSignLocalVerify!, lengths: '32', extra: { file: 'MY_PSS', key: 'pss512' } } },
];

/** Every shipped CUT, one line each, with a client against a target: the verifying server or --endpoint local. */
const sweeps = new Map(
  (['fast', 'sdk'] as const).flatMap((client) =>
    (['served', 'local'] as const).map((target) => [
      `${client}/${target}`,
      once(() => runScenario(Object.entries(SHIPPED).map(([cut, e]) => ({ id: cut, cut, e, client, ...(target === 'local' ? { endpoint: 'local' } : {}) })))),
    ]),
  ),
);
const variants = once(() =>
  runScenario(
    VARIANTS.map((v) => {
      const file = v.e.extra?.file === 'MY_KEYS' ? join(keyDir, 'MyKeys.json') : v.e.extra?.file === 'MY_PSS' ? join(keyDir, 'MyPss.json') : undefined;
      return file === undefined ? v : { ...v, e: { ...v.e, extra: { ...v.e.extra, file } } };
    }),
  ),
);

describe.each(['fast/served', 'sdk/served', 'fast/local', 'sdk/local'])('every shipped KMS CUT, --loops 3, default key, --client and target %s', (combo) => {
  const sweep = sweeps.get(combo)!;
  it(
    'covers every cuts/Kms*.ts, and the run of them all exits 0',
    async () => {
      const shipped = readdirSync(join(ROOT, 'cuts'))
        .filter((f) => /^Kms\w+\.ts$/.test(f))
        .map((f) => f.slice(0, -3));
      expect(shipped.sort()).toEqual(Object.keys(SHIPPED).sort());
      const r = await sweep();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/requests: \d+ \(0 errors\)/);
    },
    SLOW,
  );

  for (const [cut, e] of Object.entries(SHIPPED)) {
    it(`${cut}: ${e.requests.join(' + ')}${e.transaction ? ` (${e.transaction})` : ''}, lengths ${e.lengths}, 0 errors`, async () => {
      expectClean(
        (await sweep()).rows.filter((x) => x.id === cut),
        cut,
        e,
      );
    });
  }
});

describe('other keys and options', () => {
  it(
    'the run of them all exits 0',
    async () => {
      const r = await variants();
      expect(r.code, r.stderr).toBe(0);
    },
    SLOW,
  );
  for (const v of VARIANTS) {
    it(`${v.cut} ${JSON.stringify(v.e.extra)}`, async () => {
      expectClean(
        (await variants()).rows.filter((x) => x.id === v.id),
        v.cut,
        v.e,
      );
    });
  }
});

describe.concurrent('refused before anything starts: one line, exit 2, nothing on stdout', () => {
  const refused = async (args: string[], pattern: RegExp) => {
    const r = await pylogen([...args, '--endpoint', 'http://127.0.0.1:9'], { env: ENV });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  };

  it('a length over what Encrypt takes', () =>
    refused(
      ['cuts.KmsEncryptSymmetric', '--lengths', '16,5000'],
      /^pylogen: KmsEncryptSymmetric: --lengths: Encrypt with key "symmetric1" \(SYMMETRIC_DEFAULT\) takes at most 4096 bytes, but a length is 5000$/m,
    ));
  it('a length over one RSA OAEP block', () =>
    refused(
      ['cuts.KmsDecrypt', '--lengths', '191', '--extra', '{"key":"rsaencrypt"}'],
      /RSA_2048, RSAES_OAEP_SHA_256\) takes at most 190 bytes, but a length is 191/,
    ));
  it('GenerateRandom over 1024 bytes, and a RAW message of 0 bytes', async () => {
    await refused(['cuts.KmsGenerateRandom', '--lengths', '2048'], /--lengths: GenerateRandom takes at most 1024 bytes, but a length is 2048/);
    await refused(
      ['cuts.KmsSignature', '--lengths', '0', '--extra', '{"messageType":"RAW"}'],
      /Sign of a RAW message .* takes at least 1 byte, but a length is 0/,
    );
  });
  it('an unknown key name, naming the file and the key', () =>
    refused(['cuts.KmsEncryptSymmetric', '--extra', '{"key":"nope"}'], /KmsDefault\.json: no key named "nope" \(known keys: symmetric1, /));
  it('a key of the wrong kind, an unknown destination key, an unknown --extra member', async () => {
    await refused(
      ['cuts.KmsMac', '--extra', '{"key":"symmetric1"}'],
      /key "symmetric1" of KmsDefault\.json is SYMMETRIC_DEFAULT ENCRYPT_DECRYPT, but this CUT needs a GENERATE_VERIFY_MAC key/,
    );
    await refused(['cuts.KmsReEncrypt', '--extra', '{"destinationKey":"gone"}'], /--extra "destinationKey": KmsDefault\.json: no key named "gone"/);
    await refused(['cuts.KmsSignature', '--extra', '{"mesageType":"RAW"}'], /--extra: unknown member "mesageType" \(this CUT takes: file, key, messageType\)/);
  });
});

describe('a wrong result is a request error, never silence', () => {
  // The proxy flips a bit of every Sign signature and of every Decrypt plaintext: a broken KMS.
  const tampered = once(() =>
    runScenario([
      { id: 'probe', cut: 'KmsSignLocalVerify', endpoint: tamper.url, e: { ...SHIPPED.KmsSignLocalVerify!, lengths: '64' } },
      { id: 'rt', cut: 'KmsEncryptDecrypt', endpoint: tamper.url, e: { ...SHIPPED.KmsEncryptDecrypt!, lengths: '32' } },
      { id: 'dec', cut: 'KmsDecrypt', endpoint: tamper.url, e: { ...SHIPPED.KmsDecrypt!, lengths: '32' } },
      { id: 'cert', cut: 'KmsCertificate', endpoint: tamper.url, e: SHIPPED.KmsCertificate! },
    ]),
  );

  it(
    'the run still exits 0: request errors do not fail a run',
    async () => {
      const r = await tampered();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/errors by type: .*SignatureInvalid/);
    },
    SLOW,
  );

  it('KmsSignLocalVerify: SignatureInvalid on LOCAL-VERIFY, SIGN itself succeeded', async () => {
    const rows = (await tampered()).rows.filter((x) => x.id === 'probe');
    const verify = rows.filter((x) => x.request === 'LOCAL-VERIFY');
    expect(verify).toHaveLength(3);
    expect(verify.every((x) => x.rc === '16' && /^SignatureInvalid: the RSASSA_PSS_SHA_256 signature of 64 bytes does not verify/.test(x.error!))).toBe(true);
    expect(rows.filter((x) => x.request === 'SIGN').every((x) => x.rc === '0')).toBe(true);
    expect(rows.filter((x) => x.nature === 'tra').every((x) => x.rc === '16')).toBe(true);
  });

  it('KmsEncryptDecrypt and KmsDecrypt: RoundTripMismatch on DECRYPT', async () => {
    const { rows } = await tampered();
    for (const id of ['rt', 'dec']) {
      const decrypts = rows.filter((x) => x.id === id && x.request === 'DECRYPT');
      expect(decrypts).toHaveLength(3);
      expect(decrypts.every((x) => x.rc === '16' && x.error === 'RoundTripMismatch: Decrypt returned 32 bytes that are not the 32 bytes encrypted')).toBe(true);
    }
  });

  it('KmsCertificate: CertificateInvalid on VERIFY-CERTIFICATE', async () => {
    const checks = (await tampered()).rows.filter((x) => x.id === 'cert' && x.request === 'VERIFY-CERTIFICATE');
    expect(checks).toHaveLength(3);
    expect(checks.every((x) => x.rc === '16' && x.error!.startsWith('CertificateInvalid: '))).toBe(true);
  });
});

describe('certificates and local verification, every KMS signing algorithm', () => {
  const keys: Array<[string, SigningAlgorithm[]]> = [
    ['alias/pylogen-rsa2048', [...algorithmsFor('RSA_2048', 'SIGN_VERIFY').signing]],
    ['alias/pylogen-ecc256', ['ECDSA_SHA_256']],
    ['alias/pylogen-signature384', ['ECDSA_SHA_384']],
  ];
  it('each certificate parses, verifies with the KMS public key, and fails to once its signature is altered', async () => {
    for (const [keyId, algs] of keys) {
      const spki = (await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!;
      const publicKey = publicKeyFromSpki(spki);
      for (const alg of algs) {
        const builder = new CertificateBuilder(spki, alg, { CN: 'pylogen test', O: 'pylogen', C: 'FR' }, 1);
        const tbs = builder.tbs();
        const digest = createHash(signingHash(alg)).update(tbs.der).digest();
        const sig = (await kms.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: alg as SigningAlgorithmSpec })))
          .Signature!;
        const cert = new X509Certificate(builder.assemble(tbs, sig));
        expect(cert.verify(publicKey), alg).toBe(true);
        expect(cert.subject).toBe('CN=pylogen test\nO=pylogen\nC=FR');
        expect(cert.ca).toBe(true);
        expect(cert.publicKey.export({ format: 'der', type: 'spki' }).equals(Buffer.from(spki))).toBe(true);
        // Two certificates never share a serial number.
        expect(new X509Certificate(builder.assemble(builder.tbs(), sig)).serialNumber).not.toBe(cert.serialNumber);
        const bad = Buffer.from(sig);
        bad[bad.length - 1]! ^= 1;
        expect(new X509Certificate(builder.assemble(tbs, bad)).verify(publicKey), alg).toBe(false);
        // The local verifier of KmsSignLocalVerify agrees: the TBS itself is the signed message.
        const verifies = signatureVerifier(publicKey, alg);
        expect(verifies(tbs.der, sig), alg).toBe(true);
        expect(verifies(tbs.der, bad), alg).toBe(false);
      }
    }
  });

  it('lengthProblem names the range and every bad length', () => {
    expect(lengthProblem([16, 4096], 1, 4096, 'Encrypt')).toBeUndefined();
    expect(lengthProblem([0], 1, 4096, 'Encrypt')).toBe('--lengths: Encrypt takes at least 1 byte, but a length is 0');
    expect(lengthProblem([0, 5000, 5000], 1, 4096, 'Encrypt')).toBe('--lengths: Encrypt takes 1 to 4096 bytes, but lengths 0, 5000 are');
  });
});

/** A pass-through proxy to the embedded server that corrupts Sign signatures and Decrypt plaintexts. */
async function startTamperingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const corrupt: Record<string, string> = { 'TrentService.Sign': 'Signature', 'TrentService.Decrypt': 'Plaintext' };
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const out = request(target, { method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          let body = Buffer.concat(parts);
          const member = corrupt[String(req.headers['x-amz-target'])];
          if (member !== undefined && answer.statusCode === 200) {
            const doc = JSON.parse(body.toString('utf8')) as Record<string, string>;
            const blob = Buffer.from(doc[member]!, 'base64');
            blob[blob.length - 1]! ^= 1;
            doc[member] = blob.toString('base64');
            body = Buffer.from(JSON.stringify(doc));
          }
          res.writeHead(answer.statusCode ?? 500, { ...answer.headers, 'content-length': body.length });
          res.end(body);
        });
      });
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}
