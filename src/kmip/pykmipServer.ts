/**
 * A throwaway PyKMIP server (`--endpoint pykmip`): throwaway certificates, a config that logs under
 * a temporary folder at WARNING (INFO writes a line per operation) with its SQLite database there
 * too, a free loopback port, TLS 1.2 with client certificates. Started with the system python3
 * (/usr/bin/pykmip-server: the python3 first on PATH may lack the module), in a process group of its
 * own so that a Ctrl-C in the terminal reaches pylogen only (which stops the runners first, then the
 * server). A watchdog (a shell in the same group, `cat` on a pipe from pylogen) sends the server
 * SIGTERM when that pipe closes, that is when pylogen is gone, even killed: it never outlives the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interrupted, UsageError } from '../core/errors.js';
import { makeThrowawayPki } from './throwawayPki.js';

/** The PyKMIP server script; PYLOGEN_PYKMIP_SERVER overrides it (tests use a missing path). */
export function pykmipServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYLOGEN_PYKMIP_SERVER ?? '/usr/bin/pykmip-server';
}

/** The one line that says what to install, when PyKMIP is not there. */
export const PYKMIP_MISSING =
  '--endpoint pykmip needs PyKMIP (a KMIP server in Python): install the Debian package python3-pykmip (apt-get install python3-pykmip)';

/** Throws a UsageError unless the server script exists and its python can import kmip. */
export function checkPykmipInstalled(env: NodeJS.ProcessEnv = process.env): { script: string; python: string } {
  const script = pykmipServerPath(env);
  if (!existsSync(script)) throw new UsageError(`${PYKMIP_MISSING} (${script} not found)`);
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const python = /^#!\s*(\S+)/.exec(first)?.[1] ?? '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import kmip.services.server'], { stdio: 'ignore', timeout: 20_000 });
  if (probe.status !== 0) throw new UsageError(`${PYKMIP_MISSING} (${python} cannot import kmip)`);
  return { script, python };
}

export interface PykmipServer {
  host: string;
  port: number;
  /** kmip://127.0.0.1:PORT */
  url: string;
  /** the PEM files a client uses */
  files: { ca: string; cert: string; key: string };
  dir: string;
  pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL of its process group after STOP_TIMEOUT_MS), removes its folder. */
  close(): Promise<void>;
  /** How the server ended if it died before close(), else undefined. */
  died(): string | undefined;
}

const START_TIMEOUT_MS = 30_000;
/**
 * PyKMIP takes 2-12 s to shut down on SIGTERM (measured: its serving loop and its session threads wind
 * down on timeouts), a silence after the run. Nothing of a throwaway server needs keeping (its
 * database is removed with its folder): past this bound its process group is killed.
 */
export const STOP_TIMEOUT_MS = 1000;

/** A loopback port that nobody listens on: bound on port 0, then closed (tests use it too). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `signal` (Ctrl-C) aborted while it comes up: it is stopped and Interrupted is thrown. */
export async function startPykmip(signal?: AbortSignal, installed = checkPykmipInstalled()): Promise<PykmipServer> {
  const { script, python } = installed;
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-pykmip-'));
  const pki = makeThrowawayPki();
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem') };
  const serverCert = join(dir, 'server.pem');
  const serverKey = join(dir, 'server-key.pem');
  writeFileSync(files.ca, pki.ca.cert);
  writeFileSync(files.cert, pki.client.cert);
  writeFileSync(files.key, pki.client.key, { mode: 0o600 });
  writeFileSync(serverCert, pki.server.cert);
  writeFileSync(serverKey, pki.server.key, { mode: 0o600 });
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  const host = '127.0.0.1';
  const port = await freePort();
  const config = join(dir, 'server.conf');
  writeFileSync(
    config,
    [
      '[server]',
      `hostname=${host}`,
      `port=${port}`,
      `certificate_path=${serverCert}`,
      `key_path=${serverKey}`,
      `ca_path=${files.ca}`,
      'auth_suite=TLS1.2',
      `policy_path=${policies}`,
      'enable_tls_client_auth=True',
      'logging_level=WARNING',
      `database_path=${join(dir, 'pykmip.db')}`,
      '',
    ].join('\n'),
  );
  const log = join(dir, 'server.log');
  const child: ChildProcess = spawn(python, [script, '--config_path', config, '--log_path', log], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    cwd: dir,
  });
  // Its stdin is a pipe that pylogen never writes: end of file means pylogen is gone.
  const watchdog = spawn('/bin/sh', ['-c', 'cat >/dev/null; kill -TERM "$1" 2>/dev/null', 'pylogen-pykmip-watchdog', String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.stdin!.on('error', () => {});
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 4000) stderr += s;
  });
  let closing = false;
  let death: string | undefined;
  let exitedAlready = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedAlready = true;
      if (!closing) death = signal !== null ? `on ${signal}` : `with code ${code}`;
      resolve();
    }),
  );
  const close = async (): Promise<void> => {
    closing = true;
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    if (!exitedAlready) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const lastLines = (): string => {
    let text = stderr;
    try {
      text += readFileSync(log, 'utf8');
    } catch {
      // no log yet
    }
    const lines = text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '');
    return lines.slice(-3).join(' | ');
  };

  // Listening about 0.5 s after launch: wait for the port to accept, or for the process to die.
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exitedAlready) {
      const why = `${death ?? 'exited'}: ${lastLines()}`;
      await close();
      throw new Error(`the PyKMIP server exited before listening (${why})`);
    }
    if (signal?.aborted === true) {
      await close();
      throw new Interrupted('while the PyKMIP server started: it is stopped, nothing ran');
    }
    if (await accepts(host, port)) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the PyKMIP server did not listen on ${host}:${port} within ${START_TIMEOUT_MS / 1000}s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, port, url: `kmip://${host}:${port}`, files, dir, pid: child.pid, close, died: () => death };
}
