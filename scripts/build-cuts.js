#!/usr/bin/env node
// npm run build, after tsc: the package's own cuts/*.ts compiled to dist/cuts/*.js with the options
// the module hooks use (src/cut/compileOptions.ts), so that a runner of a shipped CUT imports plain
// JavaScript: no hooks thread, no esbuild (src/cut/load.ts, compiledShipped).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { CUT_TRANSFORM } from '../dist/cut/compileOptions.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'cuts');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(join(root, 'cuts'))) {
  if (!f.endsWith('.ts') || f.endsWith('.d.ts')) continue;
  const src = join(root, 'cuts', f);
  const { code } = transformSync(readFileSync(src, 'utf8'), { ...CUT_TRANSFORM, sourcefile: src });
  writeFileSync(join(out, f.replace(/\.ts$/, '.js')), code);
}
