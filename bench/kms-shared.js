// What bench/kms.js and bench/kms-clients.js share: their settings, the throwaway credentials, a
// `pylogen kms serve` in the background, and the raw keep-alive load on it (the load processes are
// bench/kms.js's `load` mode) that gives the server's operations per core-second.
//
// Environment: BENCH_KMS_SECONDS (D, default 5), BENCH_KMS_REPEAT (default 5), BENCH_KMS_CONCURRENCY
// (C, default 16).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from './steady.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
/** bench/kms.js: its `bare` and `load` modes are the child processes of both benches. */
export const KMS_BENCH = join(root, 'bench/kms.js');
export const SECONDS = Number(process.env.BENCH_KMS_SECONDS ?? 5);
export const REPEAT = Number(process.env.BENCH_KMS_REPEAT ?? 5);
export const CONCURRENCY = Number(process.env.BENCH_KMS_CONCURRENCY ?? 16);
export const PAYLOAD = 16;
/** The raw load: processes × connections (each) × requests in flight per connection. */
export const LOAD = { procs: 2, connections: 16, window: 4 };

// Throwaway credentials: the server checks none, or these (kms serve --credentials); they must never
// be real ones here.
export const ACCESS = 'AKIDPYLOGENBENCH';
export const SECRET = 'pylogen-bench-secret';
export const ENV = { ...process.env, AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1' };
delete ENV.AWS_SESSION_TOKEN;
delete ENV.AWS_PROFILE;

export { median } from './steady.js';

/** `pylogen kms serve ...args` in the background: { url, pid, stop() }. */
export function startServer(args = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, 'bin/pylogen.js'), 'kms', 'serve', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    p.on('exit', (code) => reject(new Error(`kms serve exited (${code}): ${err}`)));
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        resolve({
          url: out.trim(),
          pid: p.pid,
          stop: () =>
            new Promise((r) => {
              p.removeAllListeners('exit');
              p.once('exit', () => r());
              p.kill('SIGINT');
            }),
        });
      }
    });
  });
}

/**
 * The raw load of `operation` (a name of bench/kms.js's OPERATIONS) on the server for D seconds:
 * { operation, opsPerSecond, serverCpu (cores), opsPerCoreSecond }, the server's CPU time read with
 * `cpuOf(pid)`. Any answer but 200 throws.
 */
export async function serverLoad(server, operation, cpuOf) {
  const cpu0 = cpuOf(server.pid);
  const t0 = performance.now();
  const outs = await Promise.all(
    Array.from({ length: LOAD.procs }, () =>
      runNode([KMS_BENCH, 'load', server.url, operation, String(LOAD.connections), String(LOAD.window), String(SECONDS)], ENV),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuOf(server.pid) - cpu0;
  const counts = {};
  for (const o of outs.map((x) => JSON.parse(x))) for (const [k, v] of Object.entries(o.counts)) counts[k] = (counts[k] ?? 0) + v;
  if (Object.keys(counts).some((k) => k !== '200')) throw new Error(`${operation}: answers ${JSON.stringify(counts)}`);
  const ok = counts['200'] ?? 0;
  return { operation, opsPerSecond: Math.round(ok / wall), serverCpu: Math.round((cpu / wall) * 100) / 100, opsPerCoreSecond: Math.round(ok / cpu) };
}
