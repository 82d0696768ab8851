/**
 * `pylogen kms serve` and `pylogen kms setup` as the kms protocol contributes them (docs/protocols.md):
 * their option rows (src/command/kmsOptions.ts) and texts as data; `run` loads the body (serveRun.ts:
 * the embedded server; setupRun.ts: the SDK) only when the command runs, so that protocol.ts stays light.
 */
import type { Command } from '../core/command.js';
import { SERVE_OPTIONS, SETUP_OPTIONS } from '../command/kmsOptions.js';
import { takeSignals } from '../command/signals.js';

export const kmsServeCommand: Command = {
  path: ['kms', 'serve'],
  describe: 'the embedded KMS-compatible server, until Ctrl-C',
  details:
    'The embedded KMS-compatible server (AWS KMS JSON 1.1 over HTTP, real cryptography with node:crypto), ' +
    'with the keys of a key file created at start. Prints its URL on stdout, serves until Ctrl-C (SIGINT) ' +
    'or SIGTERM, then prints its counts and exits 0. Without --credentials it checks none (clients may sign ' +
    'with any); with it, every SigV4 signature is verified and refused as AWS does. ' +
    'Any unambiguous prefix of an option works: --po, --thr, --err.',
  options: SERVE_OPTIONS,
  examples: [
    ['pylogen kms serve --port 8080', 'keys of profiles/KmsDefault.json'],
    ['pylogen kms serve --port 8080 --throttle 50 --latency 2-8', 'then: pylogen cuts.KmsEncryptSymmetric --endpoint http://127.0.0.1:8080'],
    ['pylogen kms serve --keys my-keys.json --error-rate 0.01', 'a failing KMS'],
    ['pylogen kms serve --credentials AKIDEXAMPLE:secret', 'then sign with AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret'],
  ],
  run: async (a) => {
    takeSignals();
    return (await import('./serveRun.js')).kmsServe(a.positionals, a.values, a.cwd);
  },
};

export const kmsSetupCommand: Command = {
  path: ['kms', 'setup'],
  describe: 'create on a target the keys that a key file names',
  details:
    'For each entry whose alias does not resolve, creates a key of its key spec and usage, and the alias; ' +
    'entries that resolve are checked (kind, state) and left alone; a fixed keyId is only checked. Prints one ' +
    'line per key. Works on AWS KMS (IAM permissions: kms:DescribeKey, kms:CreateKey, kms:CreateAlias; see ' +
    "README, KMS), a kms serve, or any KMS-compatible endpoint. Credentials and region come from the SDK's " +
    'chain unless given. Any unambiguous prefix of an option works: --end, --reg.',
  options: SETUP_OPTIONS,
  examples: [
    ['pylogen kms setup --region eu-west-1', "on AWS KMS, with the SDK's credentials"],
    ['pylogen kms setup --endpoint http://127.0.0.1:8080 --keys my-keys.json', 'on a kms serve'],
  ],
  run: async (a) => (await import('./setupRun.js')).kmsSetup(a.positionals, a.values, a.cwd),
};
