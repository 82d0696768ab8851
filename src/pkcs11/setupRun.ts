/**
 * `pylogen pkcs11 setup`: makes the keys of a PKCS#11 key file exist on a token (an HSM, a SoftHSM2
 * token), as `kms setup` does on a KMS: labels already on the token are checked and left alone, the
 * others are created. The user PIN comes from PKCS11_PIN and is never shown. One line per key on
 * stdout; a token that cannot be opened is one line on stderr, exit 1; bad options, a missing module
 * or PIN, or a key of another kind on the token, exit 2.
 */
import { existsSync } from 'node:fs';
import { describeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exitcodes.js';
import { loadPkcs11js } from './api.js';
import { loadPkcs11KeyFile } from './keyfile.js';
import { Pkcs11RefusedKeys, setupPkcs11Keys } from './setup.js';
import { openToken, Pkcs11OpenError } from './Token.js';
import { packageRoot } from '../core/paths.js';
import { PKCS11_SETUP_OPTIONS } from './setupCommand.js';
import { optionsCommand, runSetup } from '../command/optionsCommand.js';

export const pkcs11Setup = optionsCommand('pkcs11', 'setup', PKCS11_SETUP_OPTIONS, async (r) => {
  const { v, cwd, err } = r;
  const file = loadPkcs11KeyFile(v.text('keys'), cwd, packageRoot);
  const module = v.maybeText('module') ?? file.module;
  const token = v.maybeText('token') ?? file.token;
  if (!existsSync(module))
    throw new UsageError(
      `pkcs11 setup: PKCS#11 module "${module}" (${v.maybeText('module') !== undefined ? '--module' : `the "module" of ${file.label}`}) does not exist`,
    );
  const pin = process.env.PKCS11_PIN ?? '';
  if (pin === '') throw new UsageError(`pkcs11 setup: PKCS11_PIN is not set: export the user PIN of token "${token}" in PKCS11_PIN (it is never shown)`);
  loadPkcs11js();
  let opened: Awaited<ReturnType<typeof openToken>>;
  try {
    opened = await openToken({ module, token, pin, readWrite: true });
  } catch (e) {
    err(`pylogen: pkcs11 setup: ${e instanceof Pkcs11OpenError ? e.message : describeError(e)}\n`);
    return ExitCode.runFailed;
  }
  return runSetup(r, {
    file: file.path,
    target: () => `token "${token}" of ${module}`,
    create: (say) => setupPkcs11Keys(opened, [...file.entries.values()], say),
    failure: (e) => (e instanceof Pkcs11RefusedKeys ? e.message : describeError(e).replace(/^Error: /, '')),
    close: () => opened.close(),
  });
});
