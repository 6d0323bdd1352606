-- CreateIndex
CREATE INDEX "Signature_identity_oidcIssuer_idx" ON "Signature"("identity", "oidcIssuer");

-- CreateIndex
CREATE INDEX "Signature_publicKeyFingerprint_idx" ON "Signature"("publicKeyFingerprint");
