/** The open model's loop: operations start at scheduled instants, whatever the previous ones do. */
import type { ClassUnderTest } from '../cut/ClassUnderTest.js';
import type { Clock } from '../cut/clock.js';
import type { RunnerSpec } from '../plan.js';
import type { Recorder } from './Recorder.js';
import type { LoopControl } from './loop.js';

export function openLoop(_cut: ClassUnderTest, _spec: RunnerSpec, _rec: Recorder, _clock: Clock): LoopControl {
  throw new Error('the open model is not available yet');
}
