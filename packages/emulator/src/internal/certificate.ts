/**
 * The self-signed TLS certificate of the Service Fabric endpoint, generated at start like the
 * cluster's own: clients pin it by SHA-1 thumbprint (`IDENTITY_SERVER_THUMBPRINT`).
 */
import { createHash, KeyObject, webcrypto } from "node:crypto"
import * as x509 from "@peculiar/x509"

/** A certificate and its key, in PEM, with the thumbprint Service Fabric clients pin. */
export interface TlsCertificate {
  readonly certificate: string
  readonly privateKey: string
  /** SHA-1 of the DER encoding, hex, upper case: the `IDENTITY_SERVER_THUMBPRINT` format. */
  readonly thumbprint: string
}

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" }

/**
 * A fresh P-256 certificate for 127.0.0.1 and localhost, valid from an hour ago for 30 days.
 * It is its own CA, so a client can also trust it by passing it as `ca` instead of pinning.
 */
export const generateCertificate = async (now: number): Promise<TlsCertificate> => {
  // Passing node's WebCrypto explicitly (instead of `x509.cryptoProvider.set`) keeps the library's
  // global provider untouched for anyone else in the process.
  type Params = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>
  const crypto = webcrypto as unknown as NonNullable<Params[1]>
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: createHash("sha1").update(String(now)).update(String(Math.random())).digest("hex").slice(0, 16),
      name: "CN=managed-identity-emulator",
      notBefore: new Date(now - 3_600_000),
      notAfter: new Date(now + 30 * 86_400_000),
      keys: keys as unknown as Params[0]["keys"],
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: "ip", value: "127.0.0.1" },
          { type: "dns", value: "localhost" }
        ])
      ]
    },
    crypto
  )
  const privateKey = KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }).toString()
  return {
    certificate: certificate.toString("pem"),
    privateKey,
    thumbprint: createHash("sha1").update(Buffer.from(certificate.rawData)).digest("hex").toUpperCase()
  }
}
