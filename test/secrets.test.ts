/**
 * Issue 20 point 5: secrets outside the masks. The run's known credential values are taken out of
 * every error text kept or printed (one function: src/core/redact.ts), URL userinfo is masked in the
 * summary's plan, secret-looking keys are masked in any case, and `kms serve` takes its credentials
 * from a file or the environment (out of `ps`).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskUrl, redactor, secretKey } from '../src/core/redact.js';
import { BIN, fixtureDir, pylogen, ROOT, tempDir } from './helpers.js';

const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE/SessionToken+with=chars';

describe('redact', () => {
  it('takes the session token, the secret key and secret --extra values out of a text, raw or percent-encoded', () => {
    const r = redactor({ AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', AWS_SESSION_TOKEN: TOKEN }, { nested: { apiKey: 'k-123456' }, pw: 'hunter22' });
    const text = `token ${TOKEN} enc ${encodeURIComponent(TOKEN)} key wJalrXUtnFEMI/K7MDENG api k-123456 pw hunter22`;
    const out = r(text);
    for (const s of [TOKEN, encodeURIComponent(TOKEN), 'wJalrXUtnFEMI', 'k-123456', 'hunter22']) expect(out).not.toContain(s);
    expect(out).toBe('token *** enc *** key *** api *** pw ***');
  });

  // each protocol declares its credential variables (Protocol.secretEnv), installed with it (test/setup-protocols.ts)
  it("the variables every protocol declares: vault's and azure's tokens, azure's client secret", () => {
    const env = {
      VAULT_TOKEN: 'hvs.vault-token-1',
      PYLOGEN_AZURE_TOKEN: 'azure-bearer-2',
      AZURE_CLIENT_SECRET: 'azure-client-secret-3',
      HOME: '/home/someone',
    };
    expect(redactor(env)(Object.values(env).join(' '))).toBe('*** *** *** /home/someone');
  });

  it('masks URL userinfo anywhere in a text', () => {
    expect(maskUrl('POST http://admin:pass@host:8080/ and https://tok@x.example/a')).toBe('POST http://***@host:8080/ and https://***@x.example/a');
    expect(maskUrl('http://host/a@b')).toBe('http://host/a@b');
  });

  it('secret-looking keys in any case: pw, apikey, api_key, PIN, Token, SECRET, password', () => {
    for (const k of ['pw', 'PW', 'apikey', 'apiKey', 'api_key', 'PIN', 'Token', 'SECRET', 'password', 'sessionToken']) expect(secretKey(k), k).toBe(true);
    for (const k of ['keyId', 'sleep', 'lengths', 'region']) expect(secretKey(k), k).toBe(false);
  });
});

describe('a run whose endpoint quotes the credentials back', () => {
  it('the event stream, stderr and the summary carry neither the session token, nor the --extra password, nor URL userinfo', async () => {
    const dir = fixtureDir('Leaky');
    const json = join(dir, 's.json');
    const r = await pylogen(
      [
        'Leaky',
        '--loops',
        '5',
        '--extra',
        '{"password":"hunter2222"}',
        '--endpoint',
        'http://admin:pa55word@127.0.0.1:9',
        '--no-preflight',
        '--summary-json',
        json,
      ],
      { cwd: dir, env: { AWS_SESSION_TOKEN: TOKEN }, timeoutMs: 60_000 },
    );
    const summary = readFileSync(json, 'utf8');
    for (const [what, text] of [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ['summary', summary],
    ] as const) {
      for (const secret of [TOKEN, 'hunter2222', 'pa55word']) expect(text, `${secret} in ${what}`).not.toContain(secret);
    }
    // The error texts are still there, redacted.
    expect(r.stdout).toMatch(/x-amz-security-token:\*\*\* pass=\*\*\* via http:\/\/\*\*\*@kms\.example/);
    expect(summary).toContain('http://***@127.0.0.1:9');
  }, 90_000); // a spawned run on a shared, loaded machine
});

describe('kms serve --credentials out of the process list', () => {
  const serve = (args: string[], env: Record<string, string> = {}) =>
    new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [BIN, 'kms', 'serve', '--port', '0', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      p.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        if (/requests must be signed|any AWS_ACCESS_KEY_ID/.test(err)) p.kill('SIGTERM');
      });
      p.on('error', reject);
      p.on('exit', () => resolve(err));
    });

  it('from PYLOGEN_KMS_CREDENTIALS, and from @FILE', async () => {
    expect(await serve([], { PYLOGEN_KMS_CREDENTIALS: 'AKIDEXAMPLE:s3cr3t-value' })).toMatch(/requests must be signed with the --credentials given/);
    const file = join(tempDir(), 'creds');
    writeFileSync(file, 'AKIDEXAMPLE:s3cr3t-value\n');
    expect(await serve(['--credentials', `@${file}`])).toMatch(/requests must be signed with the --credentials given/);
    expect(await serve([])).toMatch(/any AWS_ACCESS_KEY_ID/);
  }, 60_000);
});

describe('k8s job: secrets go to a Secret, never the args', () => {
  it('an --extra with a password and an --endpoint with userinfo become $(VAR)s taken from a Secret', async () => {
    const { jobManifests } = await import('../src/k8s/jobManifests.js');
    const { secret, job } = jobManifests({
      name: 'run1',
      image: 'pylogen:0.2',
      shards: 2,
      args: ['cuts.Dummy', '--extra', '{"Password":"hunter2222","sleep":0}', '--endpoint', 'http://admin:pa55word@kms.example', '--loops', '5'],
      awsSecret: 'aws',
      files: new Map(),
    });
    const c = job.spec!.template.spec!.containers[0]!;
    const text = JSON.stringify(c);
    expect(text).not.toContain('hunter2222');
    expect(text).not.toContain('pa55word');
    expect(c.args).toEqual([
      'cuts.Dummy',
      '--extra',
      '$(PYLOGEN_ARG_2)',
      '--endpoint',
      '$(PYLOGEN_ARG_4)',
      '--loops',
      '5',
      '--shard',
      '$(JOB_COMPLETION_INDEX)/2',
    ]);
    expect(c.env).toContainEqual({ name: 'PYLOGEN_ARG_2', valueFrom: { secretKeyRef: { name: 'run1-args', key: 'PYLOGEN_ARG_2' } } });
    expect(secret?.kind).toBe('Secret');
    expect(secret?.stringData).toEqual({ PYLOGEN_ARG_2: '{"Password":"hunter2222","sleep":0}', PYLOGEN_ARG_4: 'http://admin:pa55word@kms.example' });
  });
});
