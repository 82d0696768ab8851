// node bench/first-line.js DIR [WORDS...]: how long `npx pylogen WORDS` takes, in the clone DIR with a
// fresh npm cache each time, until pylogen's first line (stdout or stderr), beside `node bin/pylogen.js
// WORDS` measured in the same run, interleaved; medians of BENCH_REPEAT (3). npm exec installs the
// clone into its cache and runs its `prepare` script there (scripts/prepare.js, docs/performance.md).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [dir, ...given] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: node bench/first-line.js CLONE [WORDS...]');
const words = given.length > 0 ? given : ['--version'];
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** ms from the spawn to the first line on stdout or stderr, once the process has ended. */
function firstLine(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let done;
    const on = (chunk) => {
      if (done !== undefined || !String(chunk).includes('\n')) return;
      done = performance.now() - t0;
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('error', reject);
    child.on('close', (code) => (done !== undefined && code === 0 ? resolve(done) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}

const npx = [];
const node = [];
for (let i = 0; i < REPEAT; i++) {
  const cache = mkdtempSync(join(tmpdir(), 'npm-cache-'));
  npx.push(await firstLine('npx', ['pylogen', ...words], { npm_config_cache: cache }));
  rmSync(cache, { recursive: true, force: true });
  node.push(await firstLine(process.execPath, ['bin/pylogen.js', ...words], {}));
}
const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`npx pylogen ${words.join(' ')} (fresh npm cache): ${f(median(npx))} [${npx.map(f).join(', ')}]`);
console.log(`node bin/pylogen.js ${words.join(' ')}: ${f(median(node))} [${node.map(f).join(', ')}]`);
console.log(`npx's own share: ${f(median(npx) - median(node))}`);
