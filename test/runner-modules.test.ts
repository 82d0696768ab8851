/**
 * A runner loads only what its CUT uses (docs/protocols.md "The seam"): a Dummy runner loads neither
 * the AWS SDK nor the controller, nor hdr-histogram-js or esbuild, nor any protocol's protocol.ts; a
 * KMS runner does load the SDK and the kms protocol, and no other protocol (so the probe below sees
 * what it should). The probe: a resolve hook, installed in each runner through
 * PYLOGEN_RUNNER_NODE_OPTIONS, appends every module URL the runner resolves to a file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pylogen, tempDir } from './helpers.js';

/** the protocol.ts files (dist/<folder>/protocol.js, not core's IPC messages) among loaded URLs, each once */
const protocolFiles = (urls: string[]): string[] => [...new Set(urls.filter((u) => /\/dist\/(?!core\/)[^/]+\/protocol\.js$/.test(u)))];

function probe(dir: string): { env: Record<string, string>; loaded: () => string[] } {
  const log = join(dir, 'modules.log');
  writeFileSync(log, '');
  // a static import: a dynamic import() inside a resolve hook waits on the hooks thread itself
  const hook = `import { appendFileSync } from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
  const probeFile = join(dir, 'probe.mjs');
  writeFileSync(probeFile, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});\n`);
  return {
    env: { PYLOGEN_RUNNER_NODE_OPTIONS: `--import ${pathToFileURL(probeFile).href}` },
    loaded: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

describe('what a runner loads', () => {
  it('a Dummy runner: its CUT and pylogen/cut, no AWS SDK, no controller, no hdr-histogram-js, no esbuild', async () => {
    const dir = tempDir();
    const p = probe(dir);
    const r = await pylogen(['cuts.Dummy', '--loops', '3', '--extra', '{"sleep":0}', '--outformat', 'none'], { env: p.env, cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const urls = p.loaded();
    expect(urls.some((u) => u.endsWith('/dist/runner/main.js'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/dist/cuts/Dummy.js'))).toBe(true); // compiled at build: no hooks, no compiler
    expect(urls.some((u) => u.endsWith('/dist/api/cut.js'))).toBe(true);
    for (const heavy of [
      '@aws-sdk',
      '@google-cloud',
      '@grpc',
      '@azure',
      'undici',
      '/dist/controller/',
      '/dist/index.js',
      'hdr-histogram-js',
      'esbuild',
      'pkcs11js',
      'node-forge',
    ]) {
      expect(urls.filter((u) => u.includes(heavy))).toEqual([]);
    }
    // the main process tells a runner its line's protocol (none for Dummy): it loads no other
    expect(protocolFiles(urls)).toEqual([]);
  });

  it('a KMS runner loads the AWS SDK (the probe sees a protocol it uses)', async () => {
    const dir = tempDir();
    const p = probe(dir);
    const r = await pylogen(['cuts.KmsGenerateRandom', '--endpoint', 'local', '--loops', '2', '--outformat', 'none'], {
      env: p.env,
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(r.code).toBe(0);
    const urls = p.loaded();
    expect(urls.some((u) => u.endsWith('/dist/api/kms.js'))).toBe(true);
    expect(urls.some((u) => u.includes('@aws-sdk'))).toBe(true);
    expect(urls.filter((u) => u.includes('/dist/controller/'))).toEqual([]);
    expect(protocolFiles(urls).map((u) => u.replace(/^.*\/dist\//, ''))).toEqual(['kms/protocol.js']);
  }, 150_000);
});
