/**
 * The KMIP CUTs through the CLI with `--endpoint pykmip` (a throwaway PyKMIP server per run, real
 * runners), and the bad input of KMIP lines: one line on stderr, exit 2, nothing started.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, pylogen, readJson, tempDir } from './helpers.js';

// A PyKMIP server starts in ~0.5 s and stops in 2-8 s on an idle machine; several times that here.
const RUN_MS = 150_000;

const pykmipPid = (stderr: string): number => Number(/throwaway PyKMIP server on kmip:\/\/127\.0\.0\.1:\d+ \(\d+ keys, pid (\d+)\)/.exec(stderr)?.[1]);

describe('--endpoint pykmip', () => {
  it(
    'runs every Kmip CUT of scenarios/KmipAll.txt at once with 0 errors, one summary, and stops the server',
    async () => {
      const dir = tempDir();
      const r = await pylogen(['scenario', '--file', 'KmipAll.txt', '--outformat', 'none', '--summary-json', join(dir, 's.json'), '-v'], { timeoutMs: RUN_MS });
      expect(r.code, r.stderr).toBe(0);
      const s = readJson(join(dir, 's.json'));
      expect(s.runners).toMatchObject({ planned: 12, ended: 12, failed: 0 });
      expect(s.requests.errors).toBe(0);
      expect(s.errorsByType).toEqual({});
      const counts = Object.fromEntries(s.byRequest.map((b: { id: string; request: string; count: number }) => [`${b.id} ${b.request}`, b.count]));
      expect(counts).toEqual({
        'gcm-roundtrip ENCRYPT': 20,
        'gcm-roundtrip DECRYPT': 20,
        'cbc-roundtrip ENCRYPT': 60,
        'cbc-roundtrip DECRYPT': 60,
        'encrypt ENCRYPT': 20,
        'decrypt DECRYPT': 40,
        'sign-pss SIGN': 20,
        'sign-pkcs1 SIGN': 20,
        'verify VERIFY': 20,
        'mac MAC': 20,
        'create CREATE': 20,
        'create ACTIVATE': 20,
        'create-preactive CREATE': 20,
        'get GET': 20,
        'get-public GET': 20,
      });
      const pid = pykmipPid(r.stderr);
      expect(pid).toBeGreaterThan(0);
      expect(alive(pid)).toBe(false);
    },
    RUN_MS,
  );

  it(
    'on SIGINT: the runners stop, the summary is printed, the server is stopped, exit 130',
    async () => {
      let child: import('node:child_process').ChildProcess | undefined;
      let stderr = '';
      const done = pylogen(['cuts.KmipEncrypt', '--endpoint', 'pykmip', '--duration', '120', '--outformat', 'none', '-v'], {
        timeoutMs: RUN_MS,
        onSpawn: (p) => {
          child = p;
          // The first status line: the runner runs against the server.
          p.stderr!.on('data', (d: Buffer) => {
            const had = stderr.includes('] requests');
            stderr += d.toString();
            if (!had && stderr.includes('] requests')) p.kill('SIGINT');
          });
        },
      });
      const r = await done;
      expect(child).toBeDefined();
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toContain('pylogen summary:');
      const pid = pykmipPid(r.stderr);
      expect(pid).toBeGreaterThan(0);
      expect(alive(pid)).toBe(false);
    },
    RUN_MS,
  );
});

describe('KMIP bad input: one line, exit 2, nothing started', () => {
  const dir = tempDir();
  const badKeys = join(dir, 'bad-keys.json');
  writeFileSync(badKeys, JSON.stringify({ k1: { name: 'x', type: 'DES' }, k2: { type: 'AES', length: 100 } }));
  const pem = join(dir, 'not-pem.txt');
  writeFileSync(pem, 'hello');

  it.concurrent.each([
    [['cuts.KmipEncrypt'], 'a KMIP CUT needs --endpoint kmip://host:port (or pykmip, a throwaway PyKMIP server)'],
    [['cuts.KmipEncrypt', '--endpoint', 'https://kms.example'], 'a KMIP CUT needs a kmip://host:port URL or pykmip, but is "https://kms.example"'],
    [
      ['cuts.KmipEncrypt', '--endpoint', 'kmip://127.0.0.1:5696'],
      'a KMIP endpoint needs the TLS files: give "ca" (or PYLOGEN_KMIP_CA), "cert" (or PYLOGEN_KMIP_CERT), "clientKey" (or PYLOGEN_KMIP_KEY)',
    ],
    [
      ['cuts.KmipEncrypt', '--endpoint', 'kmip://127.0.0.1:5696', '--extra', JSON.stringify({ ca: pem, cert: pem, clientKey: join(dir, 'none.pem') })],
      '--extra "clientKey": cannot read',
    ],
    [
      ['cuts.KmipEncrypt', '--endpoint', 'kmip://127.0.0.1:5696', '--extra', JSON.stringify({ ca: pem, cert: pem, clientKey: pem })],
      `--extra "ca": ${pem} is not a PEM file`,
    ],
    [['cuts.KmipEncrypt', '--endpoint', 'pykmip', '--extra', '{"ca":"x.pem"}'], '--extra "ca": --endpoint pykmip makes its own throwaway certificates'],
    [
      ['cuts.KmipEncrypt', '--endpoint', 'pykmip', '--extra', '{"key":"nope"}'],
      '--extra "key": KmipDefault.json: no key named "nope" (known keys: aes-gcm, aes-cbc, rsa2048, rsa2048-pkcs1, hmac256)',
    ],
    [['cuts.KmipSign', '--endpoint', 'pykmip', '--extra', '{"key":"aes-gcm"}'], 'key "aes-gcm" of KmipDefault.json is AES-256, but this CUT needs an RSA key'],
    [['cuts.KmipMac', '--endpoint', 'pykmip', '--extra', '{"bogus":1}'], '--extra: unknown member "bogus"'],
    [
      ['cuts.KmipEncrypt', '--endpoint', 'pykmip', '--extra', JSON.stringify({ file: badKeys })],
      'key "k1": type must be one of AES, RSA, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, but is "DES"; key "k2": needs a name',
    ],
    [['cuts.KmipEncrypt', '--endpoint', 'pykmip', '--lengths', '2000000'], '--lengths: a KMIP CUT sends at most 1048576 bytes per request'],
    [['cuts.KmipCreate', '--endpoint', 'pykmip', '--extra', '{"length":100}'], '--extra "length": an AES key is 128, 192 or 256 bits, but is 100'],
    [['cuts.KmipCreate', '--endpoint', 'pykmip', '--extra', '{"key":"aes-gcm"}'], '--extra: unknown member "key"'],
    [['cuts.KmsEncryptSymmetric', '--endpoint', 'pykmip'], '--endpoint: a KMS CUT needs an http:// or https:// URL or local, but is "pykmip"'],
    [['cuts.KmipEncrypt', '--endpoint', 'kmip://'], '--endpoint must be an http://, https:// or kmip:// URL'],
    [['kmip', 'setup'], 'kmip setup: give --endpoint kmip://host:port'],
    [['kmip', 'setup', '--endpoint', 'pykmip'], 'kmip setup --endpoint pykmip: the throwaway server of a run lives only for that run'],
    [['kmip', 'setup', '--endpoint', 'https://x'], '--endpoint: "https://x" is not a kmip://host:port URL'],
    [
      ['kmip', 'setup', '--endpoint', 'kmip://127.0.0.1'],
      'kmip setup: the TLS files are missing: give --ca (or PYLOGEN_KMIP_CA), --cert (or PYLOGEN_KMIP_CERT), --client-key (or PYLOGEN_KMIP_KEY)',
    ],
    [['kmip', 'setup', '--endpoint', 'kmip://127.0.0.1', '--ca', pem, '--cert', pem, '--client-key', pem], `--ca: ${pem} is not a PEM file`],
    [['kmip', 'frob'], 'unknown kmip command "frob" (kmip setup)'],
  ])('%j', async (args, message) => {
    const r = await pylogen(args[0] === 'kmip' ? args : [...args, '--loops', '1']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('without PyKMIP: one line naming the package to install', async () => {
    const r = await pylogen(['cuts.KmipEncrypt', '--endpoint', 'pykmip', '--loops', '1'], { env: { PYLOGEN_PYKMIP_SERVER: join(dir, 'no-pykmip-server') } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('install the Debian package python3-pykmip (apt-get install python3-pykmip)')]);
  });
});
