/**
 * The official Cloud KMS client (@google-cloud/kms KeyManagementServiceClient) as a runner uses it:
 * one client (one gRPC channel, or one keep-alive HTTP agent for REST) per runner, the transport
 * chosen by --client grpc|rest, the endpoint by --endpoint:
 *
 *   ''                    Google's (cloudkms.googleapis.com:443), Application Default Credentials
 *   https://host[:port]   another TLS endpoint (a private endpoint), Application Default Credentials
 *   http://host:port      a plain-text emulator (`gcp serve`, `--endpoint gcp-local`): no TLS and no
 *                         credentials at all (no token is sent in clear text, nothing is looked up:
 *                         no ADC file, no metadata server)
 *
 * --timeout bounds each call (and each attempt); --retries N retries UNAVAILABLE, DEADLINE_EXCEEDED
 * (Google's retry codes for these methods) and RESOURCE_EXHAUSTED (Google's advice for quota
 * errors) with Google's backoff (100 ms x1.3, at most 60 s, jittered by google-gax), N times at most.
 */
import * as grpc from '@grpc/grpc-js';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { PassThroughClient } from 'google-auth-library';

import type { GcpClientOptions } from './endpoint.js';
import { parseGcpEndpoint } from './endpoint.js';

export function createGcpClient(o: GcpClientOptions): KeyManagementServiceClient {
  const where = parseGcpEndpoint(o.endpoint);
  if (where !== undefined && 'problem' in where) throw new Error(`--endpoint: ${where.problem}`);
  const rest = o.transport === 'rest';
  const options: Record<string, unknown> = { fallback: rest };
  if (where !== undefined) {
    options.apiEndpoint = where.host;
    options.port = where.port;
    if (!where.secure) {
      // An emulator: no TLS and no credentials (nothing probed: no ADC file, no metadata server).
      options.authClient = new PassThroughClient();
      options.universeDomain = 'googleapis.com';
      if (rest) options.protocol = 'http';
      else options.sslCreds = grpc.credentials.createInsecure();
    }
  }
  return new KeyManagementServiceClient(options as ConstructorParameters<typeof KeyManagementServiceClient>[0]);
}
