/**
 * The KMIP 1.x tags and enumerations that pylogen's client uses (KMIP 1.4 specification, sections
 * 9.1.3.1 and 9.1.3.2; values checked against PyKMIP's kmip.core.enums). Only what the client sends
 * or reads: a reason or enumeration not listed here is shown by its number.
 */

export const Tag = {
  ActivationDate: 0x420001,
  Attribute: 0x420008,
  AttributeIndex: 0x420009,
  AttributeName: 0x42000a,
  AttributeValue: 0x42000b,
  BatchCount: 0x42000d,
  BatchErrorContinuationOption: 0x42000e,
  BatchItem: 0x42000f,
  BatchOrderOption: 0x420010,
  BlockCipherMode: 0x420011,
  CommonTemplateAttribute: 0x42001f,
  CryptographicAlgorithm: 0x420028,
  CryptographicLength: 0x42002a,
  CryptographicParameters: 0x42002b,
  CryptographicUsageMask: 0x42002c,
  HashingAlgorithm: 0x420038,
  IvCounterNonce: 0x42003d,
  KeyBlock: 0x420040,
  KeyFormatType: 0x420042,
  KeyMaterial: 0x420043,
  KeyValue: 0x420045,
  MaximumItems: 0x42004f,
  Name: 0x420053,
  NameType: 0x420054,
  NameValue: 0x420055,
  ObjectType: 0x420057,
  Operation: 0x42005c,
  PaddingMethod: 0x42005f,
  PrivateKey: 0x420064,
  PrivateKeyTemplateAttribute: 0x420065,
  PrivateKeyUniqueIdentifier: 0x420066,
  ProtocolVersion: 0x420069,
  ProtocolVersionMajor: 0x42006a,
  ProtocolVersionMinor: 0x42006b,
  PublicKey: 0x42006d,
  PublicKeyTemplateAttribute: 0x42006e,
  PublicKeyUniqueIdentifier: 0x42006f,
  RequestHeader: 0x420077,
  RequestMessage: 0x420078,
  RequestPayload: 0x420079,
  ResponseHeader: 0x42007a,
  ResponseMessage: 0x42007b,
  ResponsePayload: 0x42007c,
  ResultMessage: 0x42007d,
  ResultReason: 0x42007e,
  ResultStatus: 0x42007f,
  RevocationReason: 0x420081,
  RevocationReasonCode: 0x420082,
  State: 0x42008d,
  SymmetricKey: 0x42008f,
  TemplateAttribute: 0x420091,
  TimeStamp: 0x420092,
  UniqueBatchItemId: 0x420093,
  UniqueIdentifier: 0x420094,
  ValidityIndicator: 0x42009b,
  DigitalSignatureAlgorithm: 0x4200ae,
  Data: 0x4200c2,
  SignatureData: 0x4200c3,
  RandomIv: 0x4200c5,
  MacData: 0x4200c6,
  TagLength: 0x4200ce,
  AuthenticatedEncryptionAdditionalData: 0x4200fe,
  AuthenticatedEncryptionTag: 0x4200ff,
} as const;

export const Operation = {
  Create: 1,
  CreateKeyPair: 2,
  Register: 3,
  Locate: 8,
  Get: 10,
  GetAttributes: 11,
  Activate: 18,
  Revoke: 19,
  Destroy: 20,
  Query: 24,
  DiscoverVersions: 30,
  Encrypt: 31,
  Decrypt: 32,
  Sign: 33,
  SignatureVerify: 34,
  Mac: 35,
} as const;

export const ResultStatus = { Success: 0, OperationFailed: 1, OperationPending: 2, OperationUndone: 3 } as const;

/** Result reasons by value, named as the specification names them (without spaces). */
export const RESULT_REASONS: Readonly<Record<number, string>> = {
  1: 'ItemNotFound',
  2: 'ResponseTooLarge',
  3: 'AuthenticationNotSuccessful',
  4: 'InvalidMessage',
  5: 'OperationNotSupported',
  6: 'MissingData',
  7: 'InvalidField',
  8: 'FeatureNotSupported',
  9: 'OperationCanceledByRequester',
  10: 'CryptographicFailure',
  11: 'IllegalOperation',
  12: 'PermissionDenied',
  13: 'ObjectArchived',
  14: 'IndexOutOfBounds',
  15: 'ApplicationNamespaceNotSupported',
  16: 'KeyFormatTypeNotSupported',
  17: 'KeyCompressionTypeNotSupported',
  18: 'EncodingOptionError',
  19: 'KeyValueNotPresent',
  20: 'AttestationRequired',
  21: 'AttestationFailed',
  22: 'Sensitive',
  23: 'NotExtractable',
  24: 'ObjectAlreadyExists',
  256: 'GeneralFailure',
};

export const ObjectType = { SymmetricKey: 2, PublicKey: 3, PrivateKey: 4 } as const;

export const CryptographicAlgorithm = {
  AES: 3,
  RSA: 4,
  ECDSA: 6,
  HMAC_SHA1: 7,
  HMAC_SHA224: 8,
  HMAC_SHA256: 9,
  HMAC_SHA384: 10,
  HMAC_SHA512: 11,
  EC: 26,
} as const;

export const BlockCipherMode = { CBC: 1, ECB: 2, CTR: 6, GCM: 9 } as const;
export const PaddingMethod = { None: 1, OAEP: 2, PKCS5: 3, PKCS1v15: 8, PSS: 10 } as const;
export const HashingAlgorithm = { SHA_1: 4, SHA_224: 5, SHA_256: 6, SHA_384: 7, SHA_512: 8 } as const;
export const DigitalSignatureAlgorithm = {
  SHA256_WITH_RSA_ENCRYPTION: 5,
  SHA384_WITH_RSA_ENCRYPTION: 6,
  SHA512_WITH_RSA_ENCRYPTION: 7,
  RSASSA_PSS: 8,
  ECDSA_WITH_SHA256: 14,
  ECDSA_WITH_SHA384: 15,
  ECDSA_WITH_SHA512: 16,
} as const;

export const UsageMask = {
  Sign: 0x1,
  Verify: 0x2,
  Encrypt: 0x4,
  Decrypt: 0x8,
  MacGenerate: 0x80,
  MacVerify: 0x100,
} as const;

export const KeyFormatType = { Raw: 1, PKCS_1: 3, PKCS_8: 4, X_509: 5 } as const;
export const NameType = { UninterpretedTextString: 1 } as const;
export const RevocationReasonCode = { Unspecified: 1, CessationOfOperation: 6 } as const;
export const ValidityIndicator = { Valid: 1, Invalid: 2, Unknown: 3 } as const;
export const State = { PreActive: 1, Active: 2, Deactivated: 3, Compromised: 4, Destroyed: 5 } as const;
