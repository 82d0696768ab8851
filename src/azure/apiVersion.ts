/**
 * The Key Vault REST API version pylogen pins: the one @azure/keyvault-keys 4.10 speaks by default,
 * given to its clients as serviceVersion, and the one the embedded server answers as. Shown in --help.
 */
export const AZURE_API_VERSION = '2025-07-01';
