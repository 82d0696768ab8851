/**
 * src/azure/errorType.ts on the errors the official client really throws (RestError from the
 * embedded server: Key Vault's codes and innererror; AbortError of a call over its timeout), and
 * through the common classification (cut/errorType.ts with the registry's hooks).
 */
import { KeyClient } from '@azure/keyvault-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureErrorType } from '../src/azure/errorType.js';
import { startAzureServer, type AzureServerHandle } from '../src/azure/server/server.js';

let slow: AzureServerHandle;
let client: KeyClient;
beforeAll(async () => {
  slow = await startAzureServer({ keys: [{ entry: 'e', name: 'e1', kty: 'EC', family: 'ec', curve: 'P-256' }], latencyMs: { min: 1500, max: 1500 } });
  client = new KeyClient(
    slow.url,
    { getToken: async () => ({ token: 'x', expiresOnTimestamp: Date.now() + 3600_000 }) },
    { disableChallengeResourceVerification: true, tlsOptions: { ca: slow.ca }, retryOptions: { maxRetries: 0 } },
  );
});
afterAll(() => slow?.close());

describe('azureErrorType', () => {
  it("counts Key Vault's answers by error.code, with innererror.code when given", async () => {
    const missing = await client.getKey('nope').catch((e: unknown) => e);
    expect(azureErrorType(missing)).toBe('KeyNotFound');
    expect(
      azureErrorType({
        name: 'RestError',
        statusCode: 403,
        code: 'Forbidden',
        details: { error: { code: 'Forbidden', innerError: { code: 'KeyOperationForbidden' } } },
      }),
    ).toBe('Forbidden/KeyOperationForbidden');
    expect(azureErrorType({ name: 'RestError', statusCode: 502, code: '<html>' })).toBe('HTTP 502');
  });

  it('counts a call over its timeout as TimeoutError, and leaves other errors to the common classification', async () => {
    const late = await client.getKey('e1', { requestOptions: { timeout: 300 } }).catch((e: unknown) => e);
    expect(azureErrorType(late)).toBe('TimeoutError');
    expect(azureErrorType(Object.assign(new Error('connect ECONNREFUSED'), { name: 'RestError', code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(azureErrorType(new TypeError('x'))).toBeUndefined();
  });
});
