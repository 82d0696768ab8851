/** `--endpoint local`: the embedded KMS server for the duration of a run. */
import { UsageError } from '../errors.js';
import type { RunPlan } from '../plan.js';

export interface LocalEndpoint {
  url: string;
  close(): Promise<void>;
}

export async function startLocalEndpoint(_plan: RunPlan): Promise<LocalEndpoint> {
  throw new UsageError('--endpoint local: the embedded KMS server is not available yet');
}
