import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Spawned-CLI and runner tests use dist/: build it once before the suite. */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`], {
    cwd: root,
    stdio: 'inherit',
  });
}
