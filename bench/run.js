// npm run bench: events per second through the whole pipeline (cuts.Dummy, sleep 0, pauses 0,
// --proc 2), csv to a file and --outformat none, each beside the bare baseline (bench/baseline.js)
// measured in the same run, interleaved; medians of REPEAT runs and their ratio.
// Other benchmarks (open model, KMS) add themselves to bench/ and are listed in SUITES.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const only = process.argv[2];
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function pylogen(format, dir, more = []) {
  const json = join(dir, 'summary.json');
  const out = format === 'none' ? [] : ['--out', join(dir, `events.${format}`)];
  execFileSync(
    process.execPath,
    [
      join(root, 'bin/pylogen.js'),
      'cuts.Dummy',
      '--proc',
      '2',
      '--duration',
      String(SECONDS),
      '--extra',
      '{"sleep":0}',
      '--pauselen',
      '0',
      '--pauseloop',
      '0',
      '--outformat',
      format,
      ...out,
      '--summary-json',
      json,
      ...more,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const s = JSON.parse(readFileSync(json, 'utf8'));
  if (s.events.lost !== 0) throw new Error('events lost');
  return s.requests.throughputMean;
}

function baseline(format, dir) {
  const r = JSON.parse(
    execFileSync(process.execPath, [join(root, 'bench/baseline.js'), '2', String(SECONDS), format, join(dir, 'baseline.csv')], { encoding: 'utf8' }),
  );
  return r.rate;
}

function throughputSuite() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-'));
  const results = [];
  try {
    // csv: against the naive baseline the issue defines (one csv-stringify row per event), and
    // against a baseline that formats rows the way pylogen does (csvcells), in the same runs.
    // BENCH_FORMATS=none: only the --outformat none row (a loaded disk stalls the csv rows' reader).
    const formats = (process.env.BENCH_FORMATS ?? 'csv,none').split(',');
    for (const [format, base] of [
      ['csv', 'csv'],
      ['csv', 'csvcells'],
      ['none', 'none'],
    ].filter(([f]) => formats.includes(f))) {
      const p = [];
      const b = [];
      for (let i = 0; i < REPEAT; i++) {
        b.push(baseline(base, dir));
        p.push(pylogen(format, dir));
      }
      const pm = median(p);
      const bm = median(b);
      results.push({
        format,
        baselineKind: base,
        pylogen: Math.round(pm),
        baseline: Math.round(bm),
        ratio: Math.round((pm / bm) * 100) / 100,
        runs: { pylogen: p.map(Math.round), baseline: b.map(Math.round) },
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nThroughput through the whole pipeline: cuts.Dummy sleep 0, --proc 2, ${SECONDS} s, median of ${REPEAT}`);
  console.log('output            bare baseline                        pylogen events/s   baseline events/s   ratio');
  const kinds = { csv: 'csv-stringify row per event', csvcells: 'cells quoted once, as pylogen', none: 'events over IPC, counted' };
  for (const r of results) {
    console.log(
      `${(r.format === 'csv' ? 'csv to a file' : '--outformat none').padEnd(18)}${kinds[r.baselineKind].padEnd(34)}${String(r.pylogen).padStart(19)}   ${String(r.baseline).padStart(17)}   ${r.ratio.toFixed(2)}`,
    );
  }
  return results;
}

/**
 * Issue 11's target: the reports cost nothing on the hot path. The same run (--outformat none, the
 * fastest path, where any cost would show most) with and without --report and --metrics-port
 * (--grace 0: no wait for a last scrape), interleaved, medians of REPEAT.
 */
function observersSuite() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-'));
  const plain = [];
  const observed = [];
  try {
    for (let i = 0; i < REPEAT; i++) {
      plain.push(pylogen('none', dir));
      observed.push(pylogen('none', dir, ['--report', join(dir, 'run.html'), '--metrics-port', '0', '--grace', '0']));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const r = {
    plain: Math.round(median(plain)),
    observed: Math.round(median(observed)),
    runs: { plain: plain.map(Math.round), observed: observed.map(Math.round) },
  };
  r.ratio = Math.round((r.observed / r.plain) * 100) / 100;
  console.log(`\nReports on the hot path: cuts.Dummy sleep 0, --proc 2, --outformat none, ${SECONDS} s, median of ${REPEAT}`);
  console.log(`plain ${r.plain} events/s; with --report and --metrics-port ${r.observed} events/s; ratio ${r.ratio.toFixed(2)}`);
  return r;
}

const SUITES = { throughput: throughputSuite, observers: observersSuite };
for (const extra of [
  'open-model.js',
  'kms.js',
  'kms-clients.js',
  'report.js',
  'merge.js',
  'pkcs11.js',
  'kmip.js',
  'startup.js',
  'sigv4.js',
  'azure.js',
  'vault.js',
  'gcp.js',
]) {
  const p = join(root, 'bench', extra);
  if (existsSync(p)) SUITES[extra.replace('.js', '')] = async () => (await import(p)).default();
}
const all = {};
for (const [name, fn] of Object.entries(SUITES)) {
  if (only && only !== name) continue;
  all[name] = await fn();
}
console.log('\n' + JSON.stringify(all));
