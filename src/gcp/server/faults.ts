/**
 * Fault injection of the embedded Cloud KMS server, as `kms serve` has it: --latency (ms added to
 * every answer), --throttle N (a token bucket of N requests per second, RESOURCE_EXHAUSTED past it,
 * as Cloud KMS answers over its per-project quota), --error-rate F (UNAVAILABLE for that fraction).
 */
import { TokenBucket } from '../../kms/server/tokenBucket.js';
import { GcpStatus } from './status.js';

export interface FaultOptions {
  latencyMs?: number;
  throttleRps?: number;
  errorRate?: number;
}

export class Faults {
  private readonly bucket: TokenBucket | undefined;
  constructor(private readonly o: FaultOptions) {
    this.bucket = o.throttleRps !== undefined && o.throttleRps > 0 ? new TokenBucket(o.throttleRps, Math.max(1, o.throttleRps)) : undefined;
  }

  /** The error to answer instead of the call, or undefined. */
  check(): GcpStatus | undefined {
    if (this.bucket !== undefined && !this.bucket.take()) {
      return new GcpStatus(
        'RESOURCE_EXHAUSTED',
        "Quota exceeded for quota metric 'Cryptographic requests' and limit 'Cryptographic requests per minute' of service 'cloudkms.googleapis.com'.",
      );
    }
    if ((this.o.errorRate ?? 0) > 0 && Math.random() < this.o.errorRate!) return new GcpStatus('UNAVAILABLE', 'The service is currently unavailable.');
    return undefined;
  }

  /** Calls `answer` after the injected latency. */
  later(answer: () => void): void {
    if ((this.o.latencyMs ?? 0) > 0) setTimeout(answer, this.o.latencyMs);
    else answer();
  }
}
