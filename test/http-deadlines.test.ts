/**
 * src/transport/http.ts bounds every exchange with one timer per pool (the oldest deadline), not
 * one per request: requests started at different instants against a server that never answers each
 * end as a TimeoutError at their own deadline, neither at an earlier one's nor never; and a request
 * answered in time is not ended by the deadline of one that is not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPool } from '../src/transport/http.js';

const TIMEOUT_MS = 800;

let server: Server | undefined;
let pool: HttpPool | undefined;
afterEach(async () => {
  pool?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
});

/** A server that answers /fast at once and never answers anything else. */
async function silentServer(): Promise<string> {
  server = createServer((req, res) => {
    if (req.url === '/fast') res.end('ok');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** When the request ended (ms after `t0`), and how. */
async function timed(p: Promise<unknown>, t0: number): Promise<{ at: number; outcome: string }> {
  try {
    await p;
    return { at: performance.now() - t0, outcome: 'ok' };
  } catch (err) {
    return { at: performance.now() - t0, outcome: (err as Error).name };
  }
}

describe('HttpPool deadlines', () => {
  it('ends each silent request at its own deadline, and answers the one that is answered', async () => {
    const origin = await silentServer();
    pool = new HttpPool(origin, { timeoutMs: TIMEOUT_MS, connections: 8 });
    const t0 = performance.now();
    const first = timed(pool.request('GET', '/silent', {}, ''), t0);
    // Started later, by a margin larger than a loaded machine's timer delays: their deadlines come later.
    await new Promise((r) => setTimeout(r, 300));
    const t1 = performance.now();
    const second = timed(pool.request('GET', '/silent', {}, ''), t1);
    const fast = timed(pool.request('GET', '/fast', {}, ''), t1);
    await new Promise((r) => setTimeout(r, 300));
    const t2 = performance.now();
    const third = timed(pool.request('GET', '/silent', {}, ''), t2);
    const [a, b, c, f] = await Promise.all([first, second, third, fast]);
    expect(f.outcome).toBe('ok');
    for (const r of [a, b, c]) {
      expect(r.outcome).toBe('TimeoutError');
      // Never before its own deadline (a timer fires late, never early, but for rounding: 1 ms) ...
      expect(r.at).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
      // ... and not long after it: 5 s spare for a machine loaded by other test processes.
      expect(r.at).toBeLessThan(TIMEOUT_MS + 5000);
    }
  });
});
