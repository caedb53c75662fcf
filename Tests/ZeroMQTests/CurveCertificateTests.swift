import Testing
@testable import ZeroMQ

/// ZeroMQ's certificate text format (CZMQ `zcert`): what Mirsad writes reads back, and what CZMQ writes reads.
@Suite struct CurveCertificateTests {
    @Test func aGeneratedCertificateReadsBackWithAndWithoutItsSecret() throws {
        let certificate = try CurveCertificate.generate(metadata: [("name", "worker-a"), ("role", "worker")])
        let secret = try CurveCertificate(text: certificate.text)
        #expect(secret == certificate)
        #expect(secret.secretKey != nil && secret.metadata("role") == "worker")
        let publicOnly = try CurveCertificate(text: certificate.publicOnly.text)
        #expect(publicOnly.publicKey == certificate.publicKey && publicOnly.secretKey == nil)
        #expect(!certificate.publicOnly.text.contains(certificate.secretKey!))
    }

    /// A certificate as CZMQ's `zcert_save` writes it (comments, four-space indentation, quoted values).
    @Test func aCertificateWrittenByCZMQIsRead() throws {
        let pair = try CurveKeys.generate()
        let text = """
            #   ****  Generated on 2026-01-08 16:30:45 by CZMQ  ****
            #   ZeroMQ CURVE **Secret** Certificate
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

            metadata
                name = "node-7"
            curve
                public-key = "\(pair.publicKey)"
                secret-key = "\(pair.secretKey)"

            """
        let certificate = try CurveCertificate(text: text)
        #expect(certificate.publicKey == pair.publicKey && certificate.secretKey == pair.secretKey)
        #expect(certificate.metadata("name") == "node-7")
    }

    @Test func aSecretKeyOfAnotherPairOrAMissingKeyIsRefused() throws {
        let one = try CurveKeys.generate(), other = try CurveKeys.generate()
        let mismatched = "curve\n    public-key = \"\(one.publicKey)\"\n    secret-key = \"\(other.secretKey)\"\n"
        #expect(throws: CurveCertificateError.keysDoNotMatch) { try CurveCertificate(text: mismatched) }
        #expect(throws: CurveCertificateError.missingPublicKey) { try CurveCertificate(text: "metadata\n    name = \"x\"\n") }
        #expect(throws: CurveCertificateError.badKey("public-key")) { try CurveCertificate(text: "curve\n    public-key = \"short\"\n") }
    }
}
