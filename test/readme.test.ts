/**
 * The documentation as written, README.md and every page of docs/: every command block (```sh,
 * ```bash, ```shell) is extracted and run, line by line, as a reader would type it after `npm link`
 * (`pylogen` on the PATH is bin/pylogen.js, as npm link makes it). Data-driven: a block added
 * anywhere in a page, or a new page, is picked up. Blocks are named PAGE:LINE.
 *
 * Marking a block: HTML comments just before its fence (blank lines allowed in between):
 *   <!-- readme-test: skip: REASON -->   only where it cannot run here (real AWS, a real HSM, kubectl,
 *                                        the suite itself); the reason is required
 *   <!-- readme-test: timeout 90 -->     seconds for the whole block (default 60)
 *   <!-- readme-test: script -->         the block is one bash script (a loop, variables, & and
 *                                        wait), run whole, shortened the same way; it passes as a
 *                                        line does (exit 0, or 1 with a threshold's verdict)
 * A ```ts / ```js block whose first line is `// some/path.ts` is a file (of any page): written into
 * the folder of every command block before it runs (the MyCut sample, then `pylogen MyCut ...`).
 *
 * How a block runs, in a fresh folder of its own, several blocks at once:
 * - each command line (continuations joined, `# comments` dropped) by bash, in order; `export X=Y`
 *   sets X for the following lines;
 * - `npx pylogen` is run as `pylogen` (npx inside the clone runs the same bin/pylogen.js; it costs
 *   seconds of npm start-up per line);
 * - shortened, so the suite stays quick (SHORTEN below): --duration at most 2 s, --step-seconds 1,
 *   each --schedule segment at most 2 s;
 * - `pylogen kms serve ...` is a server "in another terminal": started in the background on a free
 *   port (--port 0), its URL read from what it prints, and its port replaces PORT, or the port the
 *   README gave, in the following lines; a next `kms serve` replaces it; it is stopped at the end;
 * - a line passes when it exits 0, or 1 for a line with --threshold (a verdict: on a loaded machine a
 *   rate may not hold) that printed its verdict; no "internal error"; a `> FILE` it redirects to is
 *   not empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './helpers.js';

export interface Block {
  /** the page it is in: README.md or docs/NAME.md */
  page: string;
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  body: string[];
  skip?: string;
  /** run as one script rather than line by line */
  script?: boolean;
  timeoutS: number;
}

const COMMAND_LANGS = new Set(['sh', 'bash', 'shell']);
const FILE_LANGS = new Set(['ts', 'js', 'mjs']);
const DEFAULT_TIMEOUT_S = 60;

/** The fenced blocks of a markdown text with their markers; a malformed marker throws. */
export function readmeBlocks(text: string, page = 'README.md'): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const block: Block = { page, line: start + 1, lang: open[1]!, body, timeoutS: DEFAULT_TIMEOUT_S };
    for (let j = start - 1; j >= 0 && (lines[j]!.trim() === '' || lines[j]!.startsWith('<!--')); j--) {
      const m = /^<!--\s*readme-test:\s*(.*?)\s*-->\s*$/.exec(lines[j]!);
      if (m === null) continue;
      const skip = /^skip:\s*(\S.*)$/.exec(m[1]!);
      const timeout = /^timeout\s+(\d+)$/.exec(m[1]!);
      if (skip !== null) block.skip = skip[1]!;
      else if (timeout !== null) block.timeoutS = Number(timeout[1]);
      else if (m[1] === 'script') block.script = true;
      else throw new Error(`${page}:${j + 1}: unknown readme-test marker "${m[1]}" (skip: REASON, timeout N, or script)`);
    }
    blocks.push(block);
  }
  return blocks;
}

/** The command lines of a block: `\` continuations joined, comments and blank lines dropped. */
export function commandsOf(body: readonly string[]): string[] {
  const joined: string[] = [];
  let cur = '';
  for (const l of body) {
    if (/\\\s*$/.test(l)) cur += `${l.replace(/\\\s*$/, '')} `;
    else {
      joined.push(cur + l);
      cur = '';
    }
  }
  if (cur !== '') joined.push(cur);
  return joined
    .map(stripComment)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** A line without its `# comment` (a # outside quotes, after a space or at the start). */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** How a README line is shortened to run here (see the header). */
const SHORTEN: [RegExp, (...m: string[]) => string][] = [
  [/\bnpx pylogen\b/g, () => 'pylogen'],
  [/--duration[= ](\d+(?:\.\d+)?)/g, (_, d) => `--duration ${Math.min(Number(d), 2)}`],
  [/--step-seconds[= ](\d+)/g, () => '--step-seconds 1'],
  [
    /--schedule[= ](\S+)/g,
    (_, s) => `--schedule ${s.replace(/(^|,)(\d+(?:\.\d+)?)@/g, (_m: string, sep: string, d: string) => `${sep}${Math.min(Number(d), 2)}@`)}`,
  ],
];

export function shorten(line: string): string {
  return SHORTEN.reduce((l, [re, f]) => l.replace(re, f as (...a: string[]) => string), line);
}

// `pylogen` on the PATH, as `npm link` makes it: a link to bin/pylogen.js
const binDir = mkdtempSync(join(tmpdir(), 'pylogen-readme-bin-'));
symlinkSync(BIN, join(binDir, 'pylogen'));
const ENV = { ...process.env, PATH: `${binDir}:${process.env.PATH}`, NO_COLOR: '1' };

/** The pages: README.md, then docs/*.md in name order. */
export const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const blocks = PAGES.flatMap((page) => readmeBlocks(readFileSync(join(ROOT, page), 'utf8'), page));
const files = blocks
  .filter((b) => FILE_LANGS.has(b.lang) && /^\/\/ [\w./-]+\.(?:ts|js|mjs)\s*$/.test(b.body[0] ?? ''))
  .map((b) => ({ path: b.body[0]!.slice(3).trim(), text: `${b.body.join('\n')}\n` }));
const commandBlocks = blocks.filter((b) => COMMAND_LANGS.has(b.lang));

interface LineResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bash(line: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, onSpawn?: (p: ChildProcess) => void): Promise<LineResult> {
  return new Promise((resolve, reject) => {
    // its own process group, so a timeout ends the line and its runners
    const p = spawn('bash', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killGroup(p);
      reject(new Error(`${line}: did not end within ${timeoutMs / 1000} s; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    onSpawn?.(p);
  });
}

function killGroup(p: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-p.pid!, signal);
  } catch {
    // already ended
  }
}

/** A `kms serve` line started in the background: its URL once it printed it. */
function startServer(line: string, cwd: string, env: NodeJS.ProcessEnv, servers: ChildProcess[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${line}: printed no URL within 30 s: ${seen}`)), 30_000);
    const p = spawn('bash', ['-c', `exec ${line}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    servers.push(p);
    const onData = (d: string): void => {
      seen += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    p.stdout.setEncoding('utf8').on('data', onData);
    p.stderr.setEncoding('utf8').on('data', onData);
    p.on('close', (code) => reject(new Error(`${line}: ended (code ${code}) before printing its URL: ${seen}`)));
  });
}

/** Runs a block's lines in order in a fresh folder; the first failure throws. */
async function runBlock(b: Block): Promise<number> {
  const cwd = mkdtempSync(join(tmpdir(), `pylogen-readme-${b.line}-`));
  for (const f of files) {
    mkdirSync(dirname(join(cwd, f.path)), { recursive: true });
    writeFileSync(join(cwd, f.path), f.text);
  }
  const env: NodeJS.ProcessEnv = { ...ENV };
  const servers: ChildProcess[] = [];
  let ports: { given: string; actual: string } | undefined;
  const deadline = Date.now() + b.timeoutS * 1000;
  let ran = 0;
  try {
    if (b.script === true) {
      const script = b.body.map(shorten).join('\n');
      const r = await bash(script, cwd, env, b.timeoutS * 1000);
      const verdict = /--threshold\b/.test(script) && r.code === 1 && /threshold/i.test(r.stderr);
      if ((r.code !== 0 && !verdict) || /internal error/.test(r.stderr))
        throw new Error(`${b.page}:${b.line}: the block as a script\nexit ${r.code}\nstderr: ${r.stderr.slice(-3000)}`);
      return commandsOf(b.body).length;
    }
    for (const raw of commandsOf(b.body)) {
      let line = shorten(raw);
      const exported = /^export\s+(\w+)=(.*)$/.exec(line);
      if (exported !== null) {
        env[exported[1]!] = exported[2]!.replace(/^(['"])(.*)\1$/, '$2');
        continue;
      }
      if (ports !== undefined)
        line = line.replace(/\bPORT\b/g, ports.actual).replace(new RegExp(`(127\\.0\\.0\\.1|localhost):${ports.given}\\b`, 'g'), `$1:${ports.actual}`);
      if (/\bpylogen kms serve\b/.test(line)) {
        for (const s of servers.splice(0)) await stop(s);
        const given = /--port[= ](\d+)/.exec(line)?.[1] ?? 'PORT';
        const actual = await startServer(line.replace(/--port[= ]\d+/, '').concat(' --port 0'), cwd, env, servers);
        ports = { given, actual };
        ran++;
        continue;
      }
      const r = await bash(line, cwd, env, Math.max(1000, deadline - Date.now()));
      const what = `${b.page}:${b.line}: ${raw}\n(ran: ${line})\nexit ${r.code}\nstderr: ${r.stderr.slice(-3000)}`;
      // a threshold's verdict, or a capacity search's (on a loaded machine even its first rate may fail)
      const verdict = /--threshold\b/.test(line) && r.code === 1 && (/threshold/i.test(r.stderr) || /^capacity: \S+ failed: /m.test(r.stderr));
      if (r.code !== 0 && !verdict) throw new Error(what);
      if (/internal error/.test(r.stderr)) throw new Error(what);
      const out = /(?:^|\s)>\s*([\w./-]+)\s*$/.exec(line)?.[1];
      if (out !== undefined && statSync(join(cwd, out)).size === 0) throw new Error(`${what}\n${out} is empty`);
      ran++;
    }
  } finally {
    for (const s of servers) await stop(s);
    rmSync(cwd, { recursive: true, force: true });
  }
  return ran;
}

/** Stops a background server: SIGTERM to its group, SIGKILL if it lingers; resolves once it ended. */
function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => killGroup(p, 'SIGKILL'), 5000);
    p.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    killGroup(p, 'SIGTERM');
  });
}

// at most 3 blocks at once: enough to overlap their start-ups, few enough for 2 loaded cores
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

afterAll(() => rmSync(binDir, { recursive: true, force: true }));

describe('documentation markers and extraction', () => {
  it('reads markers, joins continuations, drops comments, shortens durations', () => {
    const md = [
      '<!-- readme-test: skip: needs AWS -->',
      '',
      '```sh',
      'pylogen a \\',
      '  --duration 30 # thirty',
      '```',
      '<!-- readme-test: timeout 9 -->',
      '```bash',
      'x --extra \'{"a":"#1"}\'',
      '```',
    ].join('\n');
    const [a, b] = readmeBlocks(md);
    expect(a).toMatchObject({ line: 3, lang: 'sh', skip: 'needs AWS', timeoutS: DEFAULT_TIMEOUT_S });
    expect(commandsOf(a!.body).map(shorten)).toEqual(['pylogen a    --duration 2']);
    expect(b).toMatchObject({ lang: 'bash', timeoutS: 9 });
    expect(b!.skip).toBeUndefined();
    expect(commandsOf(b!.body)).toEqual(['x --extra \'{"a":"#1"}\'']);
    expect(shorten('npx pylogen X --schedule 30@200,20@10-50')).toBe('pylogen X --schedule 2@200,2@10-50');
    expect(() => readmeBlocks('<!-- readme-test: skipp -->\n```sh\nx\n```')).toThrow(/unknown readme-test marker/);
    expect(readmeBlocks('<!-- readme-test: script -->\n```sh\nfor i in 1 2; do\n  x $i &\ndone; wait\n```')[0]).toMatchObject({ script: true });
    expect(() => readmeBlocks('<!-- readme-test: skip: -->\n```sh\nx\n```')).toThrow(/unknown readme-test marker/);
  });

  it('finds the command blocks and the MyCut file; every skipped block gives its reason', () => {
    expect(commandBlocks.length).toBeGreaterThanOrEqual(8);
    // the docs pages are read too, not only the README
    expect(PAGES).toContain('docs/reference.md');
    expect(new Set(commandBlocks.map((b) => b.page)).size).toBeGreaterThan(3);
    expect(files.map((f) => f.path)).toContain('cuts/MyCut.ts');
    for (const b of commandBlocks.filter((x) => x.skip !== undefined)) expect(b.skip!.length).toBeGreaterThan(10);
  });
});

describe.concurrent('every command block of README.md and docs/*.md runs as printed', () => {
  for (const b of commandBlocks) {
    const title = `${b.page}:${b.line}: ${commandsOf(b.body)[0] ?? '(empty)'}`;
    if (b.skip !== undefined) {
      // not a skipped test: the block is checked to be one that cannot run here, by its marker
      it(`${title} (not run: ${b.skip})`, () => expect(b.skip).toMatch(/\S/));
      continue;
    }
    it(title, { timeout: 600_000 }, async () => {
      const ran = await slot(() => runBlock(b));
      expect(ran).toBeGreaterThan(0);
    });
  }
});
