/**
 * The options every embedded server takes: where it listens (--host, --port), its key file (--keys),
 * and fault injection (`kms serve`, `vault serve`, `azure serve`):
 * the same rows, each server saying how it answers above its --throttle and at its --error-rate.
 * A leaf module (a type import only), so that a protocol's light protocol.ts may reach it.
 */
import type { OptionRow } from '../core/optionRow.js';

/** --host: loopback by default; `note` says why to keep it there. */
export function hostRow(note: string): OptionRow {
  return { name: 'host', value: 'HOST', kind: { type: 'string', nonEmpty: true }, describe: `address to listen on (${note})`, default: '127.0.0.1' };
}

/** --port: 0 picks a free one. */
export const PORT_ROW: OptionRow = {
  name: 'port',
  value: 'N',
  kind: { type: 'int', min: 0, max: 65535 },
  describe: 'TCP port; 0 picks a free one (the URL is printed)',
  default: '0',
};

/** --keys FILE: a key file of named entries, found as given, then in ./profiles, then the package's profiles/. */
export function keysRow(what: string, dflt: string): OptionRow {
  return {
    name: 'keys',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: `${what} (as given, then in ./profiles, then the package's profiles/)`,
    default: dflt,
  };
}

export function faultRows(answers: { throttle: string; errorRate: string }): OptionRow[] {
  return [
    {
      name: 'latency',
      value: 'MS|MIN-MAX',
      kind: { type: 'string', nonEmpty: true },
      describe: 'added to every answer, ms: MS, or MIN-MAX drawn uniformly',
      default: '0',
    },
    { name: 'throttle', value: 'RPS', kind: { type: 'number', min: 0, positive: true }, describe: answers.throttle },
    { name: 'error-rate', value: 'P', kind: { type: 'number', min: 0, max: 1 }, describe: answers.errorRate, default: '0' },
  ];
}
