/**
 * --metrics-port with a real Prometheus (Debian's /usr/bin/prometheus): it scrapes the run every
 * second, and its query API then holds the run's request count. Prometheus runs on a free port with
 * its own temp storage and is stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/kmip/pykmipServer.js';
import { pylogen, readJson, tempDir } from './helpers.js';

const PROMETHEUS = '/usr/bin/prometheus';

/** Polls until check() returns a value (a state, not a sleep); fails after `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let prometheus: ChildProcess | undefined;
afterAll(async () => {
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
});

describe('--metrics-port', () => {
  it("a real Prometheus scrapes the run every second; its query API returns the run's request count", async () => {
    const dir = tempDir();
    const metricsPort = await freePort();
    const webPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: pylogen\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`,
    );
    let promLog = '';
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${webPort}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    prometheus.stderr!.setEncoding('utf8').on('data', (d: string) => (promLog += d));
    const api = `http://127.0.0.1:${webPort}`;
    // Prometheus takes a few seconds to open its storage; generous for a loaded machine.
    await until(`Prometheus ready (log: ${promLog.slice(-500)})`, 40_000, async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined));
    // Ready is not scraping: the discovery manager hands the target to the scrape loop only after
    // its update throttle (~5 s). Wait until the target has been tried once (down: nothing listens
    // yet), so every second of the run is scraped.
    await until('Prometheus scraping the target', 40_000, async () => {
      const t = (await (await fetch(`${api}/api/v1/targets`)).json()) as { data: { activeTargets: { lastScrape: string }[] } };
      const last = t.data.activeTargets[0]?.lastScrape;
      return last !== undefined && !last.startsWith('0001') ? true : undefined;
    });

    const json = join(dir, 's.json');
    // 3 s of load, then the metrics stay up for --grace 3 s: at least two scrapes see the final values.
    const r = await pylogen(
      [
        'cuts.Dummy',
        '--proc',
        '2',
        '--duration',
        '3',
        '--grace',
        '3',
        '--extra',
        '{"sleep":0.01,"error":5}',
        '--outformat',
        'none',
        '--metrics-port',
        String(metricsPort),
        '--summary-json',
        json,
      ],
      { timeoutMs: 40_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`metrics: http://127.0.0.1:${metricsPort}/metrics`);
    const s = readJson(json);
    expect(s.requests.count).toBeGreaterThan(100);

    const query = async (q: string): Promise<number | undefined> => {
      const res = (await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
        status: string;
        data: { result: { value: [number, string] }[] };
      };
      if (res.status !== 'success' || res.data.result.length === 0) return undefined;
      return Number(res.data.result[0]!.value[1]);
    };
    // The last samples scraped are the run's final values.
    const total = await until('the request count in Prometheus', 10_000, async () => {
      const v = await query('sum(max_over_time(pylogen_requests_total{job="pylogen"}[5m]))');
      return v === s.requests.count ? v : undefined;
    });
    expect(total).toBe(s.requests.count);
    expect(await query('sum(max_over_time(pylogen_requests_total{outcome="error"}[5m]))')).toBe(s.requests.errors);
    expect(await query('sum(max_over_time(pylogen_errors_total{type="DummyError"}[5m]))')).toBe(s.errorsByType.DummyError);
    expect(await query('max(max_over_time(pylogen_latency_seconds_count{nature="req"}[5m]))')).toBe(s.requests.count);
    // the histogram is one Prometheus understands: its median is near the summary's (10 ms sleeps)
    const p50 = await query('histogram_quantile(0.5, sum by (le) (max_over_time(pylogen_latency_seconds_bucket[5m])))');
    expect(p50).toBeGreaterThan(0.005);
    expect(p50).toBeLessThan(0.05);
    // while it ran, Prometheus saw both runners active
    expect(await query('max_over_time(pylogen_active_runners[5m])')).toBe(2);
    expect(await query('max_over_time(pylogen_runners[5m])')).toBe(2);
  }, 120_000);

  it('a port in use: one line naming --metrics-port, exit 2, nothing started', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await pylogen(['cuts.Dummy', '--loops', '1', '--metrics-port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([`pylogen: --metrics-port ${port}: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`]);
    } finally {
      busy.close();
    }
  });
});
