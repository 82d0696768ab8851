/**
 * `kms serve --workers N` (and `--endpoint local` on machines with more cores): N processes serve
 * one port with the same keys. The primary (this module, in the `kms serve` process or the
 * `--endpoint local` server process) generates the keys once (generateSharedKeys), forks N
 * node:cluster workers (src/kms/server/serveWorker.ts) that rebuild the same key store and listen on the
 * same port (the cluster's round-robin hands each new connection to the next worker), and sums their
 * counts at the end. Keys created by CreateKey while serving live only in the worker that made them.
 */
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { packageRoot } from '../../core/paths.js';
import type { WorkerChildMessage, WorkerMainMessage } from './messages.js';
import { generateSharedKeys, startKmsServer, type KmsServerOptions, type KmsServerStats } from './server.js';

export type GroupStats = KmsServerStats & { perWorker: number[] };

export interface KmsServerGroup {
  url: string;
  port: number;
  workers: number;
  /** Stops every worker (bounded) and returns their counts, summed, and each one's requests. */
  close(): Promise<GroupStats>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 3000;

/** One server in this process (workers = 1), or N cluster workers on one port. */
export async function startKmsServers(opts: KmsServerOptions, workers: number): Promise<KmsServerGroup> {
  if (workers <= 1) {
    const h = await startKmsServer(opts);
    return {
      url: h.url,
      port: h.port,
      workers: 1,
      close: async () => {
        await h.close();
        const s = h.stats();
        return { ...s, perWorker: [s.requests] };
      },
    };
  }
  const { keys: _keys, ...rest } = opts;
  const shared = await generateSharedKeys(opts);
  cluster.setupPrimary({ exec: join(packageRoot, 'dist/kms/server/serveWorker.js'), args: [], execArgv: [], serialization: 'advanced' });
  const forked: Worker[] = [];
  const kill = (): void => {
    for (const w of forked) if (!w.isDead()) w.process.kill('SIGKILL');
  };
  let url: string;
  try {
    const urls = await Promise.all(
      Array.from({ length: workers }, () => {
        const w = cluster.fork();
        forked.push(w);
        return new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`a kms server worker did not start within ${START_TIMEOUT_MS / 1000}s`)), START_TIMEOUT_MS);
          w.on('message', (m: WorkerChildMessage) => {
            if (m.type === 'ready') {
              // Each worker throttles its share: the connections are spread evenly, so the sum is the rate given.
              const throttle = rest.throttleRps === undefined ? {} : { throttleRps: rest.throttleRps / workers };
              w.send({ type: 'serve', options: { ...rest, ...throttle, shared } } satisfies WorkerMainMessage);
            } else if (m.type === 'listening') {
              clearTimeout(timer);
              resolve(m.url);
            } else if (m.type === 'failed') {
              clearTimeout(timer);
              reject(m.usage ? new UsageError(m.error) : new Error(`a kms server worker failed to start: ${m.error}`));
            }
          });
          w.once('exit', (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`a kms server worker exited ${signal ? `on ${signal}` : `with code ${code}`} before listening`));
          });
        });
      }),
    );
    url = urls[0]!;
  } catch (err) {
    kill();
    throw err;
  }
  let closing: Promise<GroupStats> | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    workers,
    close: () =>
      (closing ??= (async () => {
        const total: GroupStats = { requests: 0, throttled: 0, injectedErrors: 0, perWorker: forked.map(() => 0) };
        await Promise.all(
          forked.map(
            (w, i) =>
              new Promise<void>((resolve) => {
                if (w.isDead()) return resolve();
                const timer = setTimeout(() => w.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
                w.on('message', (m: WorkerChildMessage) => {
                  if (m.type !== 'stopped') return;
                  total.requests += m.stats.requests;
                  total.perWorker[i] = m.stats.requests;
                  total.throttled += m.stats.throttled;
                  total.injectedErrors += m.stats.injectedErrors;
                });
                w.once('exit', () => {
                  clearTimeout(timer);
                  resolve();
                });
                w.send({ type: 'stop' } satisfies WorkerMainMessage);
              }),
          ),
        );
        return total;
      })()),
  };
}
