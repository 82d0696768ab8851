// A pylogen run measured in its steady state, for the benches that compare it with a bare loop on a
// shared (loaded) machine, where operations per CPU-second hold better than operations per second.
//
// pylogen prints a status line each second (`[    2.0s] requests 492 ...`: the requests received so
// far). At the first status line and at the last one, the CPU time of pylogen's whole live process
// tree (main process and runners: utime + stime from /proc) is read; between them:
//   perCpuSecond = Δrequests / ΔCPU (startup, warm-up of the first second, and teardown excluded)
//   rate         = Δrequests / Δwall
// A bare loop measures itself the same way (bareWindow): from one second after its start to its end.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The median of a list of numbers (the middle one; the upper middle of an even count). */
export const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function ownCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime: fields 14 and 15 of stat(5)
}

/** CPU seconds of a live process and its live descendants. */
export function treeCpu(pid) {
  let children = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      children.push(...readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
    }
  } catch {
    children = [];
  }
  let own = 0;
  try {
    own = ownCpu(pid);
  } catch {
    own = 0;
  }
  return own + children.reduce((s, c) => s + treeCpu(c), 0);
}

const STATUS = /^\[\s*([\d.]+)s\] requests (\d+) /;

/**
 * Runs `pylogen ...args` (status lines on, --summary 1) and resolves with its steady-state window:
 * { requests, cpu, wall, perCpuSecond, rate, summary } (summary: the --summary-json file's content
 * when `json` is given; `bin`: another tree's bin/pylogen.js). Needs a run of at least 3 s (two status lines a second apart at least).
 */
export function steadyRun(args, env, json, bin = join(root, 'bin/pylogen.js')) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args, '--summary', '1', ...(json ? ['--summary-json', json] : [])], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let first;
    let last;
    let buf = '';
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = STATUS.exec(line);
        if (m === null) continue;
        const point = { requests: Number(m[2]), cpu: treeCpu(p.pid), t: performance.now() };
        if (first === undefined) first = point;
        else last = point;
      }
    });
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`pylogen ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      if (first === undefined || last === undefined) return reject(new Error(`pylogen ${args.join(' ')}: fewer than two status lines`));
      const requests = last.requests - first.requests;
      const cpu = last.cpu - first.cpu;
      const wall = (last.t - first.t) / 1000;
      resolve({ requests, cpu, wall, perCpuSecond: requests / cpu, rate: requests / wall, summary: json ? JSON.parse(readFileSync(json, 'utf8')) : undefined });
    });
  });
}

/**
 * For a bare loop (in its own process): call `mark(count)` once a second after the loop starts and
 * `done(count)` at its end; `result()` is then { requests, cpu, wall, perCpuSecond, rate } over that window.
 */
export function bareWindow() {
  let m;
  let d;
  return {
    mark(count) {
      m = { count, cpu: process.cpuUsage(), t: performance.now() };
    },
    done(count) {
      const c = process.cpuUsage(m.cpu);
      d = { requests: count - m.count, cpu: (c.user + c.system) / 1e6, wall: (performance.now() - m.t) / 1000 };
    },
    result() {
      return { ...d, perCpuSecond: d.requests / d.cpu, rate: d.requests / d.wall };
    },
  };
}

/**
 * A bench's bare loop (in its own process): `concurrency` loops calling `await once()` for `seconds`,
 * measured by bareWindow from one second after the start: { count, errors, window } (window: bareWindow's
 * result; a throw of once() counts as an error and the loop goes on).
 */
export async function bareLoop(concurrency, seconds, once) {
  let count = 0;
  let errors = 0;
  const w = bareWindow();
  const mark = setTimeout(() => w.mark(count), 1000);
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        try {
          await once();
          count++;
        } catch {
          errors++;
        }
      }
    }),
  );
  clearTimeout(mark);
  w.done(count);
  return { count, errors, window: w.result() };
}

/**
 * The arguments of the benches' pylogen run of `cut` on `url`: one runner process, `concurrency` requests
 * in flight for `seconds`, payloads of `lengths` bytes, no event output; `more` goes last.
 */
export function runArgs(cut, url, { concurrency, seconds, lengths, more = [] }) {
  return [
    cut,
    '--endpoint',
    url,
    '--proc',
    '1',
    '--concurrency',
    String(concurrency),
    '--duration',
    String(seconds),
    '--lengths',
    String(lengths),
    '--outformat',
    'none',
    ...more,
  ];
}

/** Runs `node ...args` and resolves with its stdout (rejects with its stderr on a non-zero exit). */
export function runNode(args, env = process.env) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${err}`))));
  });
}
