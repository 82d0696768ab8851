/**
 * The fault-injection options every embedded server takes (`kms serve`, `vault serve`, `azure serve`):
 * the same rows, each server saying how it answers above its --throttle and at its --error-rate.
 * A leaf module (a type import only), so that a protocol's light protocol.ts may reach it.
 */
import type { OptionRow } from '../core/optionRow.js';

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
