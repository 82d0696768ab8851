// The HTML report (issue 11 item 2): a real run writes it, Debian's headless chromium opens it and
// every chart draws, with no console error and no request; `pylogen report` renders the same from
// the saved summary; a capacity search's report draws its steps. Bad input: one line, exit 2.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium, consoleErrors, pageRequests } from './browser.js';
import { ROOT, pylogen, readJson, tempDir } from './helpers.js';
import { reportData } from '../src/report/reportData.js';
import type { ReportSummary } from '../src/report/renderReport.js';

const CHARTS = ['throughput', 'latency', 'distribution', 'errors', 'runners'];

/** The data the charts draw (the JSON embedded in the page). */
function embedded(html: string): unknown {
  const m = /<script type="application\/json" id="pylogen-data">([\s\S]*?)<\/script>/.exec(html);
  if (m === null) throw new Error('no #pylogen-data in the report');
  return JSON.parse(m[1]!);
}

/** The chart containers of a rendered DOM, with what each holds. */
function charts(dom: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<div class="chart" data-chart="(\w+)">([\s\S]*?)(?=<div class="chart"|<h2>|<\/section>)/g;
  for (const m of dom.matchAll(re)) out.set(m[1]!, m[2]!);
  return out;
}

/** Opens a report in chromium; checks that it drew `expected` charts, logged no error and requested nothing. */
async function rendersInChromium(file: string, expected: string[]): Promise<string> {
  const r = await chromium(file, ['--dump-dom']);
  expect(r.code).toBe(0);
  expect(consoleErrors(r.stderr)).toEqual([]);
  expect(pageRequests(r.requests)).toEqual([]);
  const dom = r.stdout;
  expect(dom).toContain(`data-rendered="${expected.length}"`);
  expect(dom).toContain('data-resources="0"');
  const found = charts(dom);
  expect([...found.keys()].sort()).toEqual([...expected].sort());
  for (const [name, inner] of found) {
    // uPlot's canvas, with the legend of its series
    expect(inner, name).toMatch(/<canvas [^>]*width="\d{3,}"/);
    expect(inner, name).toContain('u-legend');
    expect(inner, name).not.toContain('chart-error');
  }
  return dom;
}

function noNetworkReference(html: string): void {
  // nothing the page could fetch: no src / href / url() to a network address
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
  expect(html).not.toMatch(/@import/i);
  expect(html).toContain("default-src 'none'");
}

describe('pylogen --report', () => {
  const dir = tempDir('pylogen-report-');
  const html = join(dir, 'run.html');
  const json = join(dir, 'run.json');
  let runStderr = '';

  beforeAll(async () => {
    // A Dummy of ./cuts (found before the package's) that also takes a "pin", so that the report's
    // masking of secret-looking --extra keys is seen (the shipped Dummy refuses keys it does not take).
    const dummy = readFileSync(join(ROOT, 'cuts/Dummy.ts'), 'utf8').replace("    error: 'N:", "    pin: 'a secret (test only)',\n    error: 'N:");
    expect(dummy).toContain('pin:');
    mkdirSync(join(dir, 'cuts'));
    writeFileSync(join(dir, 'cuts/Dummy.ts'), dummy);
    // errors every 7th operation: the errors chart and the stacked error layer have data, and
    // errors<1% fails (exit 1: the report is written all the same, with its verdicts)
    const r = await pylogen(
      [
        'cuts.Dummy',
        '--proc',
        '2',
        '--duration',
        '3',
        '--extra',
        '{"sleep":0.01,"error":7,"pin":"1234"}',
        '--outformat',
        'none',
        '--threshold',
        'p99<5000',
        '--threshold',
        'errors<1%',
        '--report',
        html,
        '--summary-json',
        json,
      ],
      { cwd: dir, timeoutMs: 40_000 },
    );
    runStderr = r.stderr;
    expect(r.code, r.stderr).toBe(1);
  }, 60_000);

  it('writes one self-contained file: plan, summary table, charts; no network reference', () => {
    const text = readFileSync(html, 'utf8');
    noNetworkReference(text);
    expect(text).toContain('<h2>Plan</h2>');
    expect(text).toMatch(/pylogen cuts\.Dummy --process=2 --duration=3/);
    // the --extra secret is masked in the plan and the command line
    expect(text).not.toContain('1234');
    expect(text).toContain('***');
    expect(text).toContain('<h2>Summary</h2>');
    expect(text).toContain('R0-EXEC');
    expect(text).toContain('<h2>Thresholds</h2>');
    expect(text).toMatch(/<tr class="pass"><td>p99&#60;5000<\/td><td class="num">[\d.]+<\/td><td class="num">pass<\/td><\/tr>/);
    expect(text).toMatch(/<tr class="fail"><td>errors&#60;1%<\/td><td class="num">[\d.]+<\/td><td class="num">FAIL<\/td><\/tr>/);
    const data = embedded(text) as { time: number[]; throughput: { errors: number[] }; distribution: { curves: unknown[] } };
    expect(data.time.length).toBeGreaterThanOrEqual(3);
    expect(data.throughput.errors.some((e) => e > 0)).toBe(true);
    expect(data.distribution.curves).toHaveLength(1);
    // the stderr summary is still there
    expect(runStderr).toContain('pylogen summary:');
  });

  it("the charts' data is the summary's: rates per second, the distribution read from its histograms", () => {
    const s = readJson<ReportSummary>(json);
    const d = reportData(s);
    const row = s.series.byRequest[0]!;
    const sec = s.series.intervalMs / 1000;
    expect(d.time[0]).toBe(s.series.from / 1000);
    // the full intervals (all but the first and the last): ok requests per second of the interval
    const full = (a: (number | null)[]) => a.slice(1, -1);
    expect(full(d.throughput.ok[0]!.values)).toEqual(full(row.count.map((c, i) => Math.round(((c - row.errors[i]!) / sec) * 1000) / 1000)));
    expect(d.latency.p99).toEqual(s.series.total.p99);
    expect(d.errorsByType.map((e) => e.name)).toEqual(['DummyError']);
    // the distribution: 50% .. 99.99% on log10(1 / (1 - p)), never decreasing, bracketing the run's p99
    const x = d.distribution.x;
    expect(x[0]).toBeCloseTo(Math.log10(2), 3);
    expect(x[x.length - 1]).toBe(4);
    const curve = d.distribution.curves[0]!.values as number[];
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThanOrEqual(curve[i - 1]!);
    const at99 = x.findIndex((k) => k >= 2);
    const p99 = s.byRequest[0]!.ok.latencyMs!.p99;
    expect(curve[at99 - 1]).toBeLessThanOrEqual(p99);
    expect(curve[at99]).toBeGreaterThanOrEqual(p99);
    expect(curve[curve.length - 1]).toBeLessThanOrEqual(s.byRequest[0]!.ok.latencyMs!.max);
  });

  it('renders every chart in headless chromium, with no console error and no request; screenshot kept', async () => {
    await rendersInChromium(html, CHARTS);
    const png = join(dir, 'report.png');
    const shot = await chromium(html, [`--screenshot=${png}`, '--window-size=1400,2400']);
    expect(shot.code).toBe(0);
    expect(pageRequests(shot.requests)).toEqual([]);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(20_000);
    console.log(`report screenshot: ${png}`);
  }, 120_000);

  it('pylogen report SUMMARY.json --report FILE.html gives the same report', async () => {
    const again = join(dir, 'again.html');
    const r = await pylogen(['report', 'run.json', '--report', 'again.html'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('again.html');
    const a = readFileSync(html, 'utf8');
    const b = readFileSync(again, 'utf8');
    expect(embedded(b)).toEqual(embedded(a));
    expect(b).toBe(a);
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    writeFileSync(join(dir, 'other.json'), '{"hello": 1}\n');
    writeFileSync(join(dir, 'broken.json'), '{"version": 2,');
    const cases: [string[], RegExp][] = [
      [['report', 'missing.json', '--report', 'x.html'], /missing\.json: cannot be read \(ENOENT\)/],
      [['report', 'other.json', '--report', 'x.html'], /other\.json: not a pylogen summary \("version" is undefined, not 2\)/],
      [['report', 'broken.json', '--report', 'x.html'], /broken\.json: not a pylogen summary \(not JSON/],
      [['report', 'run.json'], /report needs --report FILE\.html/],
      [['report', '--report', 'x.html'], /report takes one summary file/],
      [['report', 'run.json', '--report', 'run.json'], /--report "run\.json" is the summary file itself/],
      [['report', 'run.json', '--report', 'nope/x.html'], /--report "nope\/x\.html" cannot be written \(no such folder\)/],
      [['cuts.Dummy', '--loops', '1', '--summary-json', 's.json', '--report', 's.json'], /--report "s\.json" is the same file as --summary-json/],
      [['cuts.Dummy', '--loops', '1', '--out', 'e.csv', '--report', './e.csv'], /--report "\.\/e\.csv" is the same file as --out/],
    ];
    for (const [args, message] of cases) {
      const r = await pylogen(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
    expect(existsSync(join(dir, 's.json'))).toBe(false);
  }, 60_000);

  it('pylogen report --help lists --report', async () => {
    const r = await pylogen(['report', '--help'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pylogen report SUMMARY.json --report FILE.html');
    expect(r.stdout).toMatch(/--report\s+FILE: the HTML file to write/);
  });
});

describe('pylogen capacity --report, and an interrupted open-model run', () => {
  it('draws the capacity steps and the arrivals', async () => {
    const dir = tempDir('pylogen-report-cap-');
    const html = join(dir, 'cap.html');
    const r = await pylogen(
      [
        'capacity',
        'cuts.Dummy',
        '--extra',
        '{"sleep":0.005}',
        '--start',
        '20',
        '--step',
        '20',
        '--max',
        '60',
        '--step-seconds',
        '1',
        '--threshold',
        'p99<5000',
        '--report',
        html,
        '--summary-json',
        join(dir, 'cap.json'),
      ],
      { cwd: dir, timeoutMs: 40_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(html, 'utf8');
    noNetworkReference(text);
    expect(text).toContain('<h2>Capacity</h2>');
    const data = embedded(text) as { capacity: { level: number[] }; runners: { arrivals?: unknown } };
    expect(data.capacity.level).toEqual([20, 40, 60]);
    expect(data.runners.arrivals).toBeDefined();
    await rendersInChromium(html, [...CHARTS, 'capacity']);
    // the same from its summary
    const again = await pylogen(['report', 'cap.json', '--report', 'again.html'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(text);
  }, 120_000);

  it('SIGINT: the report is written, marked interrupted', async () => {
    const dir = tempDir('pylogen-report-int-');
    const html = join(dir, 'int.html');
    let stderr = '';
    const r = await pylogen(['cuts.Dummy', '--schedule', '60@50', '--outformat', 'none', '--report', html], {
      cwd: dir,
      timeoutMs: 40_000,
      onSpawn: (p) => {
        // interrupt once the first status line shows the run going
        p.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/requests \d+/.test(stderr) && !p.killed) p.kill('SIGINT');
        });
      },
    });
    expect(r.code, r.stderr).toBe(130);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('INTERRUPTED');
    const dom = await rendersInChromium(html, CHARTS);
    // a banner at the top, before the plan, not one small word
    const banner = /<div class="banner" id="interrupted" role="alert">([\s\S]*?)<\/div>/.exec(dom);
    expect(banner?.[1]).toMatch(/This run was interrupted.* every figure below is of what ran until then/);
    expect(dom.indexOf('id="interrupted"')).toBeLessThan(dom.indexOf('<h2>Plan</h2>'));
  }, 120_000);
});

describe('the report of a scenario: rates per actual interval length, latency per request', () => {
  it('partial first and last intervals are rates over the seconds that ran; one latency line per request', async () => {
    const dir = tempDir('pylogen-report-scn-');
    // b starts 1.3 s in and runs 1.4 s: its first and last intervals are partial whatever the clock
    writeFileSync(
      join(dir, 'two.txt'),
      `cuts.Dummy --id a --duration 3 --extra '{"sleep":0.005}'\ncuts.Dummy --id b --postpone 1.3 --duration 1.4 --extra '{"sleep":0.005}'\n`,
    );
    const args = ['scenario', '--file', 'two.txt', '--outformat', 'none', '--report', 'r.html', '--summary-json', 's.json'];
    const r = await pylogen(args, { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const s = readJson<ReportSummary>(join(dir, 's.json'));
    const html = join(dir, 'r.html');
    const data = embedded(readFileSync(html, 'utf8')) as ReturnType<typeof reportData>;
    const se = s.series;
    for (const row of se.byRequest) {
      const drawn = data.throughput.ok.find((o) => o.name === `${row.id} ${row.request}`)!.values;
      const runs = s.byRunner.filter((x) => x.id === row.id);
      const from = Math.min(...runs.map((x) => Date.parse(x.startedAt!)));
      const to = Math.max(...runs.map((x) => Date.parse(x.endedAt!)));
      const used = row.count.map((c, i) => ({ i, c })).filter((x) => x.c > 0);
      // the first and the last interval with requests: their ok count over the seconds of the line's run inside them
      for (const { i } of [used[0]!, used[used.length - 1]!]) {
        const start = se.from + i * se.intervalMs;
        const ran = (Math.min(start + se.intervalMs, to) - Math.max(start, from)) / 1000;
        const want = ran >= 0.1 * (se.intervalMs / 1000) ? Math.round(((row.count[i]! - row.errors[i]!) / ran) * 1000) / 1000 : null;
        expect(drawn[i], `${row.id} interval ${i}: ${ran} s ran`).toBe(want);
      }
      // a flat closed loop looks flat: no interval drawn at a third of the others (a generous bound:
      // the machine is shared and its load moves the rate; a partial interval as a full one is far below)
      const shown = drawn.filter((v): v is number => v !== null && v > 0).sort((x, y) => x - y);
      const median = shown[Math.floor(shown.length / 2)]!;
      for (const v of shown) expect(v, `${row.id}: ${JSON.stringify(drawn)}`).toBeGreaterThan(median / 3);
    }
    // chromium draws a latency line per request: p99 and p50 of each in the legend
    const dom = await rendersInChromium(html, CHARTS);
    const latency = charts(dom).get('latency')!;
    for (const name of ['a R0-EXEC p99', 'a R0-EXEC p50', 'b R0-EXEC p99', 'b R0-EXEC p50']) expect(latency).toContain(name);
    expect(dom).not.toContain('id="interrupted"');
  }, 120_000);
});

describe('the browser check itself', () => {
  it('sees a page that makes a request or throws', async () => {
    const dir = tempDir('pylogen-report-neg-');
    const page = join(dir, 'bad.html');
    writeFileSync(page, '<!DOCTYPE html><html><body><img src="http://pylogen.invalid/x.png"><script>throw new Error("boom on purpose")</script></body></html>');
    const r = await chromium(page, ['--dump-dom']);
    expect(pageRequests(r.requests).join('\n')).toContain('pylogen.invalid');
    expect(consoleErrors(r.stderr).join('\n')).toContain('boom on purpose');
  }, 60_000);
});
