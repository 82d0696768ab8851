#!/usr/bin/env node
// pylogen's command line; the TypeScript sources are built into dist/ by `npm install` (prepare).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist')) {
    process.stderr.write('pylogen: dist/ is missing: run `npm install` (or `npm run build`) in the pylogen folder\n');
    process.exitCode = 1;
    return;
  }
  throw err;
});
