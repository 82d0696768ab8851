/**
 * Debian's chromium, headless, on a local file (the HTML report): the rendered DOM (--dump-dom) or a
 * screenshot, and what it logged. Every request it makes goes through a proxy the helper runs on
 * 127.0.0.1 (loopback included), which records them: a self-contained page makes none. The browser
 * itself still calls Google's services (network time, component updates, accounts) whatever the
 * flags: pageRequests() leaves those out.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export const CHROMIUM = '/usr/bin/chromium';

export interface BrowserResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** requests (and CONNECTs) that reached the proxy */
  requests: string[];
}

async function countingProxy(): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  server.on('connect', (req, socket) => {
    requests.push(`CONNECT ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

/** Opens `file` in headless chromium with `extra` flags (--dump-dom, --screenshot=...). */
export async function chromium(file: string, extra: string[], timeoutMs = 60_000): Promise<BrowserResult> {
  const profile = mkdtempSync(join(tmpdir(), 'pylogen-chromium-'));
  const proxy = await countingProxy();
  try {
    const args = [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
      `--proxy-server=http://127.0.0.1:${proxy.port}`,
      '--proxy-bypass-list=<-loopback>',
      // the page draws from timers and animation frames: let virtual time run them, then exit
      '--virtual-time-budget=10000',
      ...extra,
      `file://${file}`,
    ];
    // its own process group: on a timeout the whole browser (zygote, GPU, renderers) is killed
    const p = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        try {
          process.kill(-p.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
        reject(new Error(`chromium did not end within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      p.on('error', reject);
      p.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    return { code, stdout, stderr, requests: proxy.requests };
  } finally {
    await new Promise((r) => proxy.server.close(r));
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Console lines that say something went wrong in the page. */
export function consoleErrors(stderr: string): string[] {
  return stderr.split('\n').filter((l) => (/CONSOLE/.test(l) && /error|uncaught|refused|failed/i.test(l)) || /Uncaught/.test(l));
}

/** Chromium's own calls home, not the page's. */
const BROWSER_SERVICES = /^(GET|POST|CONNECT) (https?:\/\/)?[\w.-]*\.(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)(:443)?([/?]|$)/;

/** The requests that the page could have made: every one but the browser's calls home. */
export function pageRequests(requests: readonly string[]): string[] {
  return requests.filter((r) => !BROWSER_SERVICES.test(r));
}
