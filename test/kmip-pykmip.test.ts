/**
 * The KMIP client, `kmip setup`'s key creation and the KMIP CUTs against a real PyKMIP server
 * (python3-pykmip, the system python3). Results are checked independently of the server: ciphertexts
 * decrypted and MACs recomputed with node:crypto from the key material that Get returns, signatures
 * verified with node:crypto and the public key from Get.
 */
import { createDecipheriv, createHmac, createPublicKey, constants, randomBytes, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoParams, KmipClient } from '../src/kmip/KmipClient.js';
import { KmipError } from '../src/kmip/KmipError.js';
import { loadKmipKeyFile, type KmipKeyEntry } from '../src/kmip/keyfile.js';
import { freePort, startPykmip, type PykmipServer } from '../src/kmip/pykmipServer.js';
import { setupKmipKeys } from '../src/kmip/setup.js';
import { BlockCipherMode, CryptographicAlgorithm, HashingAlgorithm, PaddingMethod } from '../src/kmip/tags.js';
import { alive, pylogen, readJson, ROOT, tempDir } from './helpers.js';

// PyKMIP starts in about 0.5 s and stops in 2-8 s on an idle machine; on 2 cores shared with the
// rest of the suite both take several times that.
const SERVER_MS = 90_000;

let server: PykmipServer;
let client: KmipClient;
const entries = new Map<string, KmipKeyEntry>();

beforeAll(async () => {
  server = await startPykmip();
  client = new KmipClient({
    tls: {
      host: server.host,
      port: server.port,
      ca: readFileSync(server.files.ca),
      cert: readFileSync(server.files.cert),
      key: readFileSync(server.files.key),
    },
    timeoutMs: 30_000,
    connections: 4,
  });
  for (const [k, v] of loadKmipKeyFile(undefined, ROOT, ROOT).entries) entries.set(k, v);
}, SERVER_MS);

afterAll(async () => {
  client?.close();
  const pid = server?.pid;
  await server?.close();
  if (pid !== undefined) expect(alive(pid)).toBe(false);
}, SERVER_MS);

async function uidOf(name: string): Promise<string> {
  const [uid] = await client.locate(name);
  expect(uid, `no object named ${name}`).toBeDefined();
  return uid!;
}

describe('KMIP against PyKMIP', () => {
  it(
    'setup creates the key file keys once, then finds them (a second setup creates nothing)',
    async () => {
      const lines: string[] = [];
      const first = await setupKmipKeys(client, [...entries.values()], (l) => lines.push(l));
      expect(first.created.sort()).toEqual([...entries.keys()].sort());
      expect(lines.filter((l) => l.includes('created'))).toHaveLength(entries.size);
      const second = await setupKmipKeys(client, [...entries.values()], () => {});
      expect(second.created).toEqual([]);
      expect(second.existing.sort()).toEqual([...entries.keys()].sort());
    },
    SERVER_MS,
  );

  it(
    'AES-GCM and AES-CBC ciphertexts decrypt with node:crypto and the key that Get returns',
    async () => {
      for (const [entry, mode] of [
        ['aes-gcm', 'GCM'],
        ['aes-cbc', 'CBC'],
      ] as const) {
        const uid = await uidOf(entries.get(entry)!.kmipName!);
        const key = (await client.get(uid)).material!;
        expect(key).toHaveLength(32);
        const params = cryptoParams(
          mode === 'GCM'
            ? { blockCipherMode: BlockCipherMode.GCM, cryptographicAlgorithm: CryptographicAlgorithm.AES, randomIv: true, tagLength: 16 }
            : { blockCipherMode: BlockCipherMode.CBC, paddingMethod: PaddingMethod.PKCS5, cryptographicAlgorithm: CryptographicAlgorithm.AES, randomIv: true },
        );
        const plaintext = randomBytes(100);
        const out = await client.encrypt(uid, params, plaintext);
        expect(out.data.equals(plaintext)).toBe(false);
        const decipher = createDecipheriv(mode === 'GCM' ? 'aes-256-gcm' : 'aes-256-cbc', key, out.iv!);
        if (mode === 'GCM') (decipher as ReturnType<typeof createDecipheriv> & { setAuthTag(t: Buffer): void }).setAuthTag(out.tag!);
        expect(Buffer.concat([decipher.update(out.data), decipher.final()]).equals(plaintext), mode).toBe(true);
        // And the server's own round trip.
        expect((await client.decrypt(uid, params, out.data, out.iv, out.tag)).equals(plaintext)).toBe(true);
      }
    },
    SERVER_MS,
  );

  it(
    'RSA PSS and PKCS#1 v1.5 signatures verify with node:crypto and the public key from Get; SignatureVerify agrees',
    async () => {
      for (const [entry, padding] of [
        ['rsa2048', constants.RSA_PKCS1_PSS_PADDING],
        ['rsa2048-pkcs1', constants.RSA_PKCS1_PADDING],
      ] as const) {
        const e = entries.get(entry)!;
        const priv = await uidOf(e.kmipName!);
        const pub = await uidOf(`${e.kmipName}-public`);
        const got = await client.get(pub);
        const publicKey = createPublicKey({ key: got.material!, format: 'der', type: 'pkcs1' });
        const params = cryptoParams({
          paddingMethod: padding === constants.RSA_PKCS1_PSS_PADDING ? PaddingMethod.PSS : PaddingMethod.PKCS1v15,
          hashingAlgorithm: HashingAlgorithm.SHA_256,
          cryptographicAlgorithm: CryptographicAlgorithm.RSA,
        });
        const data = randomBytes(64);
        const signature = await client.sign(priv, params, data);
        expect(verify('sha256', data, { key: publicKey, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature), entry).toBe(true);
        expect(verify('sha256', randomBytes(64), { key: publicKey, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature)).toBe(false);
        expect(await client.verify(pub, params, data, signature)).toBe(true);
        expect(await client.verify(pub, params, randomBytes(64), signature)).toBe(false);
      }
    },
    SERVER_MS,
  );

  it(
    'HMAC-SHA256 equals node:crypto’s with the key material from Get',
    async () => {
      const uid = await uidOf(entries.get('hmac256')!.kmipName!);
      const key = (await client.get(uid)).material!;
      const data = randomBytes(300);
      const mac = await client.mac(uid, cryptoParams({ cryptographicAlgorithm: CryptographicAlgorithm.HMAC_SHA256 }), data);
      expect(mac.toString('hex')).toBe(createHmac('sha256', key).update(data).digest('hex'));
    },
    SERVER_MS,
  );

  it(
    'a failed item is a KmipError named after its result reason; Revoke + Destroy in one message destroy a key',
    async () => {
      const uid = await client.createSymmetric({ algorithm: CryptographicAlgorithm.AES, length: 128, usageMask: 0xc });
      await client.revokeDestroy(uid);
      const err = await client.get(uid).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KmipError);
      expect((err as KmipError).name).toBe('KMIP ItemNotFound');
    },
    SERVER_MS,
  );

  it(
    'resumes the TLS session on the connections it adds',
    async () => {
      const c = new KmipClient({ ...client.options, connections: 3 });
      try {
        await c.locate('nothing');
        await Promise.all([c.locate('a'), c.locate('b'), c.locate('c')]);
        expect(c.stats.connections).toBe(3);
        expect(c.stats.resumed).toBe(2);
      } finally {
        c.close();
      }
    },
    SERVER_MS,
  );

  it(
    'the Kmip CUTs through the CLI at kmip://, the TLS files in --extra, 2 in flight: 0 errors',
    async () => {
      const dir = tempDir();
      const tls = { ca: server.files.ca, cert: server.files.cert, clientKey: server.files.key };
      const r = await pylogen(
        [
          'cuts.KmipEncryptDecrypt',
          '--endpoint',
          `kmip://127.0.0.1:${server.port}`,
          '--loops',
          '10',
          '--concurrency',
          '2',
          '--lengths',
          '16,1000',
          '--extra',
          JSON.stringify({ ...tls, key: 'aes-cbc' }),
          '--outformat',
          'none',
          '--summary-json',
          `${dir}/s.json`,
        ],
        { timeoutMs: SERVER_MS },
      );
      expect(r.code, r.stderr).toBe(0);
      const s = readJson(`${dir}/s.json`);
      expect(s.requests).toMatchObject({ count: 40, errors: 0 });
      expect(s.transactions).toMatchObject({ count: 20, errors: 0 });
      // The client's private key never shows.
      const keyBody = readFileSync(server.files.key, 'utf8').split('\n')[1]!;
      expect(r.stderr).not.toContain(keyBody);
    },
    SERVER_MS,
  );

  it(
    'pylogen kmip setup: creates a key file’s keys, then finds them; an unreachable server is one line, exit 1',
    async () => {
      const dir = tempDir();
      const keys = join(dir, 'my-kmip-keys.json');
      writeFileSync(
        keys,
        JSON.stringify({ a: { name: 'setup-cli-aes128', type: 'AES', length: 128, mode: 'CBC' }, h: { name: 'setup-cli-hmac512', type: 'HMAC_SHA512' } }),
      );
      const tls = ['--ca', server.files.ca, '--cert', server.files.cert, '--client-key', server.files.key];
      const first = await pylogen(['kmip', 'setup', '--endpoint', `kmip://127.0.0.1:${server.port}`, ...tls, '--keys', keys], { timeoutMs: SERVER_MS });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/key "a": created \S+ \(AES-128\) named setup-cli-aes128, activated/);
      expect(first.stdout).toContain(': 0 existing, 2 created');
      const again = await pylogen(['kmip', 'setup', '--endpoint', `kmip://127.0.0.1:${server.port}`, ...tls, '--keys', keys], { timeoutMs: SERVER_MS });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(': 2 existing, 0 created');
      expect(await client.state(await uidOf('setup-cli-hmac512'))).toBe(2);
      // A port nobody listens on: bound then closed.
      const port = await freePort();
      const refused = await pylogen(['kmip', 'setup', '--endpoint', `kmip://127.0.0.1:${port}`, ...tls, '--keys', keys]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^pylogen: kmip setup: ECONNREFUSED: /)]);
      const keyBody = readFileSync(server.files.key, 'utf8').split('\n')[1]!;
      for (const r of [first, again, refused]) expect(r.stdout + r.stderr).not.toContain(keyBody);
    },
    SERVER_MS,
  );
});
