/** Test helpers: spawn the real CLI, read its real CSV and JSON. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin/pylogen.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** called once the process is spawned, e.g. to signal it later */
  onSpawn?: (p: ChildProcess) => void;
  timeoutMs?: number;
  /** written to its standard input, then closed (default: no standard input) */
  input?: string;
}

export function pylogen(args: string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd: o.cwd ?? ROOT,
      env: { ...process.env, ...o.env },
      stdio: [o.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (o.input !== undefined) p.stdin!.end(o.input);
    let stdout = '';
    let stderr = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`pylogen ${args.join(' ')} did not end within ${o.timeoutMs ?? 25_000} ms; stderr: ${stderr}`));
    }, o.timeoutMs ?? 25_000);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    o.onSpawn?.(p);
  });
}

/** An onSpawn (with -vv) that SIGKILLs runner `runner` (e.g. "run.1") `afterMs` after it says it is running. */
export function killRunner(runner: string, afterMs: number): (p: ChildProcess) => void {
  return (p) => {
    let killed = false;
    p.stderr!.on('data', (d: Buffer) => {
      const m = new RegExp(`runner ${runner.replace('.', '\\.')} \\([^,]+, pid (\\d+)\\): running`).exec(d.toString());
      if (m && !killed) {
        killed = true;
        setTimeout(() => process.kill(Number(m[1]), 'SIGKILL'), afterMs);
      }
    });
  };
}

export type CsvRow = Record<string, string>;

export const COLUMNS =
  'time,epoch,nature,full_id,id,runner,cut,request,transaction,step,rc,elapsed_ms,local_count,local_tps,global_count,global_tps,active_runners,error';

/** Parses the CSV event stream; checks the header. */
export function csvRows(text: string): CsvRow[] {
  const firstLine = text.slice(0, text.indexOf('\n'));
  if (firstLine !== COLUMNS) throw new Error(`unexpected CSV header: ${firstLine}`);
  return parse(text, { columns: true, skip_empty_lines: true }) as CsvRow[];
}

export function tempDir(prefix = 'pylogen-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Whether a process is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fresh folder whose cuts/ holds test/fixtures/NAME.ts: a run there finds the CUT NAME. */
export function fixtureDir(name: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'cuts'));
  copyFileSync(join(ROOT, 'test/fixtures', `${name}.ts`), join(dir, 'cuts', `${name}.ts`));
  return dir;
}

/**
 * `pylogen kms serve ARGS` on a free port; resolves with its URL once printed (its pid to `onPid`). Its
 * stop (SIGINT, then its exit) is pushed on `cleanups`, for the test's afterEach.
 */
export function kmsServe(args: string[], cleanups: (() => unknown)[], onPid?: (pid: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'kms', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    onPid?.(proc.pid!);
    const exited = new Promise<void>((r) => proc.on('close', () => r()));
    cleanups.push(async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
    });
    let out = '';
    let err = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    void exited.then(() => reject(new Error(`kms serve exited: ${err}`)));
  });
}

/**
 * A throwaway self-signed P-256 certificate (openssl: quick), written to dir/<name>.key and
 * dir/<name>.pem, for 127.0.0.1 (its subjectAltName) unless another subject is given.
 */
export function selfSignedCert(dir: string, name = 'server', subject = '/CN=127.0.0.1'): { key: Buffer; cert: Buffer } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', subject];
  execFileSync('openssl', [...args, '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}
