/**
 * The cloud protocols' endpoints that are not what the user thinks, said as the AWS KMS lines say
 * them (test/kms-not-a-kms.test.ts): Cloud KMS without credentials (one line, exit 2, no unhandled
 * rejection; with --no-preflight the runner's setup says it), Cloud KMS over gRPC to a web server
 * ("does not speak gRPC"), https:// to a plain server and http:// to a TLS server for both Cloud KMS
 * transports, Azure Key Vault to a server that is not Key Vault or does not speak TLS, and the TLS
 * hint in the error samples of Vault and Cloud KMS runners with --no-preflight. Real CLI, real
 * official clients, real sockets: node:http answering as `python3 -m http.server` does, node:https.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pylogen, readJson, selfSignedCert, tempDir } from './helpers.js';

// Each test starts the CLI, which loads an official client (google-gax, the Azure SDK): 20 s and more at load average 30.
vi.setConfig({ testTimeout: 120_000 });
const RUN_MS = 90_000;

const dir = tempDir('pylogen-cloud-endpoints-');
// No proxy, no metadata server, no gcloud ADC file of the machine: only what each test gives.
const ENV: Record<string, string> = {
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  HOME: dir,
  CLOUDSDK_CONFIG: join(dir, 'gcloud'),
  GOOGLE_APPLICATION_CREDENTIALS: '',
  METADATA_SERVER_DETECTION: 'none',
};
/** A service account key that is no one's: google-auth-library signs its own JWT with it, nothing is sent but to these servers. */
const GCP_ENV = (): Record<string, string> => ({ ...ENV, GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'sa.json') });

const page: RequestListener = (_req, res) =>
  res.writeHead(501, { 'Content-Type': 'text/html;charset=utf-8' }).end('<html><body>Error response: 501 Unsupported method</body></html>');
let web: HttpServer; // plain HTTP/1.1, 501 text/html to everything (python3 -m http.server to a POST)
let tls: HttpServer; // TLS, answers {}
let tlsWeb: HttpServer; // TLS, 501 text/html (a web server, not Key Vault)
const urls = { web: '', tls: '', tlsWeb: '' };
const listen = async (server: HttpServer, scheme: string): Promise<string> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `${scheme}://127.0.0.1:${(server.address() as { port: number }).port}`;
};

beforeAll(async () => {
  const cert = selfSignedCert(dir);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(
    join(dir, 'sa.json'),
    JSON.stringify({
      type: 'service_account',
      project_id: 'pylogen-project',
      private_key_id: 'none',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: 'nobody@pylogen-project.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: 'http://127.0.0.1:9/token',
    }),
  );
  web = createHttpServer(page);
  tls = createHttpsServer(cert, (_req, res) => res.end('{}'));
  tlsWeb = createHttpsServer(cert, page);
  urls.web = await listen(web, 'http');
  urls.tls = await listen(tls, 'http');
  urls.tlsWeb = await listen(tlsWeb, 'https');
});

afterAll(async () => {
  for (const s of [web, tls, tlsWeb]) s.closeAllConnections();
  await Promise.all([web, tls, tlsWeb].map((s) => new Promise((r) => s.close(r))));
});

const plainAsHttps = (): string => urls.web.replace('http:', 'https:');

/** ARGS must be refused by the preflight: exit 2, nothing on stdout, one line on stderr (no warning, no stack); that line. */
async function refused(args: string[], env: Record<string, string>): Promise<string> {
  // --duration 30: a run that started would take 30 s; the preflight ends it first.
  const r = await pylogen([...args, '--duration', '30'], { env, timeoutMs: RUN_MS });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

/** ARGS with --no-preflight for 2 loops: the error samples of the summary, every one of which must contain `said`. */
async function samplesSay(args: string[], env: Record<string, string>, said: string): Promise<void> {
  const json = join(tempDir(), 's.json');
  const r = await pylogen([...args, '--loops', '2', '--no-preflight', '--outformat', 'none', '--summary-json', json], { env, timeoutMs: RUN_MS });
  expect(r.code, r.stderr).toBe(0);
  const samples = Object.values(readJson<{ errorSamples: Record<string, string[]> }>(json).errorSamples).flat();
  expect(samples.length, r.stderr).toBeGreaterThan(0);
  for (const s of samples) expect(s).toContain(said);
}

const NOT_TLS = 'the server does not speak TLS: did you mean http://? (OpenSSL: wrong version number)';
const SPEAKS_TLS = 'the server speaks TLS: did you mean https://? (';

describe('Cloud KMS without credentials: said in one line, no unhandled rejection', () => {
  it.each(['rest', 'grpc'])('--client %s: the preflight line, exit 2', async (client) => {
    const line = await refused(['cuts.CloudKmsEncrypt', '--client', client], ENV);
    expect(line).toMatch(
      /^pylogen: CloudKmsEncrypt: preflight: key "symmetric": GetCryptoKeyVersion of \S+ at cloudkms\.googleapis\.com: no Application Default Credentials: run/,
    );
  });

  it.each(['rest', 'grpc'])("--client %s --no-preflight: the runner's setup says it, no stack trace", async (client) => {
    const r = await pylogen(['cuts.CloudKmsEncrypt', '--client', client, '--loops', '2', '--no-preflight', '--outformat', 'none'], {
      env: ENV,
      timeoutMs: RUN_MS,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      'failed: GcpSetupError: setup: the Cloud KMS client at cloudkms.googleapis.com: no Application Default Credentials: run `gcloud auth application-default login`',
    );
    expect(r.stderr).not.toMatch(/\n\s+at |Unhandled|MetadataLookupWarning/);
    // nothing was sent: the runner stopped at its setup
    expect(r.stderr).toContain('requests: 0 (0 errors)');
  });
});

describe('Cloud KMS endpoints that are not what the user thinks', () => {
  const cut = (endpoint: string, client: string): string[] => ['cuts.CloudKmsEncrypt', '--endpoint', endpoint, '--client', client];
  const prefix = (endpoint: string): RegExp =>
    new RegExp(`^pylogen: CloudKmsEncrypt: preflight: key "symmetric": GetCryptoKeyVersion of \\S+: ${endpoint.replace(/[.]/g, '\\.')}: `);

  it('gRPC to a web server: does not speak gRPC', async () => {
    const line = await refused(cut(urls.web, 'grpc'), ENV);
    expect(line).toMatch(prefix(urls.web));
    expect(line).toContain("the server does not speak gRPC (its answer is not HTTP/2): for Cloud KMS's HTTP/JSON API use --client rest (");
  });

  it.each(['grpc', 'rest'])('--client %s, https:// to a plain server and http:// to a TLS server: the TLS hint', async (client) => {
    const https = plainAsHttps();
    const notTls = await refused(cut(https, client), GCP_ENV());
    expect(notTls).toMatch(prefix(https));
    expect(notTls.endsWith(NOT_TLS)).toBe(true);
    const speaksTls = await refused(cut(urls.tls, client), ENV);
    expect(speaksTls).toMatch(prefix(urls.tls));
    expect(speaksTls).toContain(SPEAKS_TLS);
  });

  it.each(['grpc', 'rest'])("--client %s --no-preflight: the runners' error samples carry the TLS hint", async (client) => {
    await samplesSay(cut(plainAsHttps(), client), GCP_ENV(), NOT_TLS);
    await samplesSay(cut(urls.tls, client), ENV, SPEAKS_TLS);
  });
});

describe('Azure Key Vault endpoints that are not what the user thinks', () => {
  const env = (): Record<string, string> => ({ ...ENV, NODE_EXTRA_CA_CERTS: join(dir, 'server.pem'), PYLOGEN_AZURE_TOKEN: 'not-a-token' });
  const HTTPS_ONLY = "the server does not speak TLS, and Azure Key Vault is https:// only: check the vault URL's host and port (OpenSSL: wrong version number)";

  it('a web server that is not Key Vault: exit 2, one line naming what answered', async () => {
    expect(await refused(['cuts.AzureKeyVaultEncrypt', '--endpoint', urls.tlsWeb], env())).toBe(
      `pylogen: AzureKeyVaultEncrypt: preflight: AzureKeyVaultEncrypt: key "rsa2048" (pylogen-rsa2048 (RSA 2048)): ${urls.tlsWeb}: does not speak the Azure Key Vault API (HTTP 501, text/html)`,
    );
    expect(await refused(['cuts.AzureKeyVaultGetRandomBytes', '--endpoint', urls.tlsWeb], env())).toBe(
      `pylogen: AzureKeyVaultGetRandomBytes: preflight: AzureKeyVaultGetRandomBytes: GetRandomBytes: ${urls.tlsWeb}: does not speak the Azure Key Vault API (HTTP 501, text/html)`,
    );
  });

  it('https:// to a plain server: the TLS hint in the preflight, and in the runner with --no-preflight', async () => {
    const https = plainAsHttps();
    expect(await refused(['cuts.AzureKeyVaultGetRandomBytes', '--endpoint', https], env())).toBe(
      `pylogen: AzureKeyVaultGetRandomBytes: preflight: AzureKeyVaultGetRandomBytes: GetRandomBytes: ${https}: ${HTTPS_ONLY}`,
    );
    // Every Azure CUT calls the vault once in its setup: there the runner says it, as its failure.
    const r = await pylogen(['cuts.AzureKeyVaultGetRandomBytes', '--endpoint', https, '--loops', '2', '--no-preflight', '--outformat', 'none'], {
      env: env(),
      timeoutMs: RUN_MS,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`failed: AzureSetupError: setup: the first GetRandomBytes at ${https} failed: RestError: ${HTTPS_ONLY}`);
  });
});

describe("Vault --no-preflight: the runners' error samples carry the TLS hint", () => {
  it.each([
    ['https:// to a plain server', plainAsHttps, NOT_TLS],
    ['http:// to a TLS server', () => urls.tls, SPEAKS_TLS],
  ])('%s', async (_name, endpoint, said) => {
    await samplesSay(['cuts.VaultTransitEncrypt', '--endpoint', endpoint()], { ...ENV, VAULT_TOKEN: 'pylogen-not-a-vault-token' }, said);
  });
});
