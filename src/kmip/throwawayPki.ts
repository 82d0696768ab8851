/**
 * Throwaway certificates for `--endpoint pykmip`: a CA, a server certificate for 127.0.0.1 and
 * localhost (serverAuth), and a client certificate (clientAuth, which PyKMIP demands), all valid for
 * a day. The RSA keys come from node:crypto (native, fast); node-forge builds and signs the
 * certificates. Nothing here is meant to outlive the run that made it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

export interface ThrowawayPki {
  ca: Pem;
  server: Pem;
  client: Pem;
}

function rsaKey(): { forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const forgePublic = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { forgeKey, forgePublic, pem };
}

function certificate(
  subjectCn: string,
  publicKey: forge.pki.rsa.PublicKey,
  issuer: { cn: string; key: forge.pki.rsa.PrivateKey },
  extensions: object[],
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the top bit clear.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: subjectCn }]);
  cert.setIssuer([{ name: 'commonName', value: issuer.cn }]);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function makeThrowawayPki(): ThrowawayPki {
  const caCn = 'pylogen throwaway KMIP CA';
  const ca = rsaKey();
  const server = rsaKey();
  const client = rsaKey();
  const issuer = { cn: caCn, key: ca.forgeKey };
  return {
    ca: {
      key: ca.pem,
      cert: certificate(caCn, ca.forgePublic, issuer, [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ]),
    },
    server: {
      key: server.pem,
      cert: certificate('127.0.0.1', server.forgePublic, issuer, [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ]),
    },
    client: {
      key: client.pem,
      cert: certificate('pylogen', client.forgePublic, issuer, [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', clientAuth: true },
      ]),
    },
  };
}
