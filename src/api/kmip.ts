/** `pylogen/kmip`: the KMIP CUT base, the client and the key file. */
export {
  KmipCut,
  KMIP_EXTRAS,
  KmipSetupError,
  pickKmipKey,
  dataLengthProblems,
  KMIP_MAX_DATA,
  PYKMIP_ENDPOINT,
  type KmipExtra,
  type KmipCutSpec,
} from '../kmip/KmipCut.js';
export { KmipClient, cryptoParams, type CryptoParams, type KmipClientOptions, type GetResult } from '../kmip/KmipClient.js';
export { KmipError, KmipProtocolError } from '../kmip/KmipError.js';
export { loadKmipKeyFile, NODE_HASH_OF, type KmipKeyEntry, type KmipKeyFile, type KmipUsage } from '../kmip/keyfile.js';
