/**
 * Where KMIP requests go: `kmip://host[:port]` (port 5696 by default, KMIP's) and the PEM files of
 * TLS client authentication: the CA that signed the server's certificate, the client certificate
 * and its private key. They come from --extra ("ca", "cert", "clientKey"), else from the
 * environment (PYLOGEN_KMIP_CA, PYLOGEN_KMIP_CERT, PYLOGEN_KMIP_KEY: what `--endpoint pykmip` gives
 * its runners). The private key is read, never printed: messages name its file only.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { KmipTlsOptions } from './KmipConnection.js';

export const KMIP_DEFAULT_PORT = 5696;

export interface KmipFiles {
  ca?: string;
  cert?: string;
  clientKey?: string;
}

/** Environment variables that stand for the --extra members. */
export const KMIP_FILE_ENV = { ca: 'PYLOGEN_KMIP_CA', cert: 'PYLOGEN_KMIP_CERT', clientKey: 'PYLOGEN_KMIP_KEY' } as const;
const MEMBERS = ['ca', 'cert', 'clientKey'] as const;

/** host and port of a kmip:// URL, or a problem. */
export function parseKmipUrl(url: string): { host: string; port: number } | { problem: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problem: `"${url}" is not a kmip://host:port URL` };
  }
  if (u.protocol !== 'kmip:' || u.hostname === '') return { problem: `"${url}" is not a kmip://host:port URL` };
  if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.username !== '') return { problem: `"${url}" must be only kmip://host:port` };
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: u.port === '' ? KMIP_DEFAULT_PORT : Number(u.port) };
}

/** A problem of one TLS file, worded by the caller for where the file was named (`--extra "ca"`, `--ca`). */
export interface KmipFileProblem {
  member: keyof KmipFiles;
  /** what is wrong, after the name: `cannot read ca.pem: ENOENT` */
  text: string;
}

/** How a CUT line names a TLS file: its --extra member. */
export const extraMember = (m: keyof KmipFiles): string => `--extra "${m}"`;

/** The files to use: --extra's, else the environment's; with the members missing. */
export function kmipFiles(extra: KmipFiles, env: NodeJS.ProcessEnv = process.env): { files: Required<KmipFiles>; missing: (keyof KmipFiles)[] } {
  const files = {} as Required<KmipFiles>;
  const missing: (keyof KmipFiles)[] = [];
  for (const m of MEMBERS) {
    const v = extra[m] ?? env[KMIP_FILE_ENV[m]];
    if (typeof v !== 'string' || v === '') missing.push(m);
    else files[m] = v;
  }
  return { files, missing };
}

/** The missing files, each named by `name` and with its variable: `"ca" (or PYLOGEN_KMIP_CA), ...`. */
export function missingFiles(missing: readonly (keyof KmipFiles)[], name = (m: keyof KmipFiles): string => `"${m}"`): string {
  return missing.map((m) => `${name(m)} (or ${KMIP_FILE_ENV[m]})`).join(', ');
}

/** The problems of the files, each named by `name` (default: the --extra member). */
export function fileProblems(problems: readonly KmipFileProblem[], name = extraMember): string[] {
  return problems.map((p) => `${name(p.member)}: ${p.text}`);
}

/** Reads the three PEM files; problems name the member and the file, never the content. */
export function readKmipFiles(
  files: Required<KmipFiles>,
  cwd: string = process.cwd(),
): { pem: Record<keyof KmipFiles, Buffer> } | { problems: KmipFileProblem[] } {
  const pem = {} as Record<keyof KmipFiles, Buffer>;
  const problems: KmipFileProblem[] = [];
  for (const m of MEMBERS) {
    const path = isAbsolute(files[m]) ? files[m] : resolve(cwd, files[m]);
    try {
      pem[m] = readFileSync(path);
    } catch (err) {
      problems.push({ member: m, text: `cannot read ${files[m]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    if (!pem[m].includes('-----BEGIN ')) problems.push({ member: m, text: `${files[m]} is not a PEM file` });
  }
  return problems.length > 0 ? { problems } : { pem };
}

export function tlsOptions(host: string, port: number, pem: Record<keyof KmipFiles, Buffer>, servername?: string): KmipTlsOptions {
  return { host, port, ca: pem.ca, cert: pem.cert, key: pem.clientKey, ...(servername !== undefined ? { servername } : {}) };
}
