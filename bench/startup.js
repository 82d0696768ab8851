// npm run bench startup: what starting runners costs (issue "One seam", targets: a Dummy runner's RSS
// <= 50 MB; `cuts.Dummy --proc 16 --loops 1` within 2 s of `--proc 1`, launch to summary).
// REPEAT times, interleaved: pylogen cuts.Dummy --loops 1 with --proc 1 and --proc 16 (wall time of
// the whole command), and the limit beside them: a bare node parent that forks 1 and 16 empty
// scripts, waits until each has said it is ready over IPC, then ends them. The runners' peak RSS
// (process.resourceUsage().maxRSS at exit, through PYLOGEN_RUNNER_NODE_OPTIONS=--import) beside an
// empty forked child's. Medians.
// Environment: BENCH_REPEAT (default 5).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function timed(args, env = {}) {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } });
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export default function startup() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-startup-'));
  try {
    const rssLog = join(dir, 'rss.log');
    const probe = join(dir, 'rss.mjs');
    writeFileSync(
      probe,
      `import { appendFileSync } from 'node:fs';\nprocess.on('exit', () => appendFileSync(${JSON.stringify(rssLog)}, process.resourceUsage().maxRSS + '\\n'));\n`,
    );
    const child = join(dir, 'child.mjs');
    writeFileSync(
      child,
      `import { appendFileSync } from 'node:fs';\nprocess.on('message', () => { appendFileSync(${JSON.stringify(join(dir, 'bare-rss.log'))}, process.resourceUsage().maxRSS + '\\n'); process.exit(0); });\nprocess.send('ready');\n`,
    );
    const parent = join(dir, 'parent.mjs');
    writeFileSync(
      parent,
      `import { fork } from 'node:child_process';\nconst n = Number(process.argv[2]);\nconst kids = Array.from({ length: n }, () => fork(${JSON.stringify(child)}));\nlet ready = 0;\nfor (const k of kids) k.once('message', () => { if (++ready === n) for (const c of kids) c.send('exit'); });\n`,
    );
    const bin = join(root, 'bin/pylogen.js');
    const run = (p, env) => timed([bin, 'cuts.Dummy', '--proc', String(p), '--loops', '1', '--outformat', 'none', '--quiet'], env);
    const r = { proc1: [], proc16: [], bare1: [], bare16: [] };
    for (let i = 0; i < REPEAT; i++) {
      r.proc1.push(run(1));
      r.proc16.push(run(16));
      r.bare1.push(timed([parent, '1']));
      r.bare16.push(timed([parent, '16']));
    }
    run(4, { PYLOGEN_RUNNER_NODE_OPTIONS: `--import ${pathToFileURL(probe).href}` });
    const kb = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map(Number);
    const out = {
      proc1S: median(r.proc1),
      proc16S: median(r.proc16),
      proc16MinusProc1S: median(r.proc16) - median(r.proc1),
      bare1S: median(r.bare1),
      bare16S: median(r.bare16),
      bare16MinusBare1S: median(r.bare16) - median(r.bare1),
      dummyRunnerMaxRssMB: median(kb(rssLog)) / 1024,
      emptyChildMaxRssMB: median(kb(join(dir, 'bare-rss.log'))) / 1024,
    };
    for (const [k, v] of Object.entries(out)) console.log(`startup: ${k.padEnd(20)} ${v.toFixed(2)}`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) startup();
