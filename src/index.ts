/**
 * The package `pylogen`: everything, for programs and CUTs written before the subpath entries. A CUT
 * imports only what it uses, so that its runner loads nothing else: `pylogen/cut` (every CUT),
 * `pylogen/kms`, `pylogen/pkcs11`, `pylogen/kmip` (a protocol's CUT base), `pylogen/run` (run() from
 * a program). Importing `pylogen` itself costs a runner the AWS SDK and the controller.
 */
export * from './api/cut.js';
export * from './api/run.js';
export * from './api/kms.js';
export * from './api/pkcs11.js';
export * from './api/kmip.js';
export * from './api/azure.js';
export * from './api/vault.js';
export * from './api/gcp.js';
