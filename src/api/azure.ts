/** `pylogen/azure`: the azure protocol's CUT base and what its CUT authors need around it. */
export { AzureCut, AzureSetupError, oaepLengthProblems, type AzureExtra, type AzureCutSpec } from '../azure/AzureCut.js';
export { AzureEncryptingCut, AzureSigningCut, AzureWrappingCut, type Encrypted } from '../azure/cutBases.js';
export { digestHash } from '../azure/algorithms.js';
export type { AzureKeyEntry } from '../azure/keyfile.js';
