/** Checks of the open-model options of a line (--schedule and what goes with it). */
import type { Problems } from '../errors.js';
import type { LineOptions } from '../plan.js';

export function checkSchedule(o: LineOptions, problems: Problems): void {
  if (o.schedule === '') return;
  problems.add('--schedule: the open model is not available yet');
}
