-- CreateTable
CREATE TABLE "Image" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "registry" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "platforms" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "TagObservation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "imageId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "observedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TagObservation_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fingerprintSha256" TEXT NOT NULL,
    "pem" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "identity" TEXT,
    "oidcIssuer" TEXT,
    "notBefore" DATETIME NOT NULL,
    "notAfter" DATETIME NOT NULL,
    "extensions" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Signature" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "imageId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "layerDigest" TEXT NOT NULL,
    "payloadDigest" TEXT NOT NULL,
    "signatureB64" TEXT NOT NULL,
    "certificateId" TEXT,
    "publicKeyFingerprint" TEXT,
    "identity" TEXT,
    "oidcIssuer" TEXT,
    "rekorLogIndex" BIGINT,
    "rekorLogId" TEXT,
    "rekorIntegratedTime" DATETIME,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Signature_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Signature_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VerificationRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "input" TEXT NOT NULL,
    "imageId" TEXT,
    "tag" TEXT,
    "status" TEXT NOT NULL,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "policy" TEXT NOT NULL,
    "policyHash" TEXT NOT NULL,
    "trustRootName" TEXT NOT NULL,
    "trustRootHash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    CONSTRAINT "VerificationRun_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SignatureResult" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "signatureId" TEXT,
    "verdict" TEXT NOT NULL,
    "reasonCode" TEXT,
    "reason" TEXT,
    "checks" TEXT NOT NULL,
    "identity" TEXT,
    "oidcIssuer" TEXT,
    "platform" TEXT,
    CONSTRAINT "SignatureResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "VerificationRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SignatureResult_signatureId_fkey" FOREIGN KEY ("signatureId") REFERENCES "Signature" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Image_repository_idx" ON "Image"("repository");

-- CreateIndex
CREATE INDEX "Image_digest_idx" ON "Image"("digest");

-- CreateIndex
CREATE UNIQUE INDEX "Image_registry_repository_digest_key" ON "Image"("registry", "repository", "digest");

-- CreateIndex
CREATE INDEX "TagObservation_imageId_observedAt_idx" ON "TagObservation"("imageId", "observedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_fingerprintSha256_key" ON "Certificate"("fingerprintSha256");

-- CreateIndex
CREATE INDEX "Certificate_identity_idx" ON "Certificate"("identity");

-- CreateIndex
CREATE INDEX "Signature_certificateId_idx" ON "Signature"("certificateId");

-- CreateIndex
CREATE UNIQUE INDEX "Signature_imageId_layerDigest_payloadDigest_key" ON "Signature"("imageId", "layerDigest", "payloadDigest");

-- CreateIndex
CREATE INDEX "VerificationRun_createdAt_id_idx" ON "VerificationRun"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "VerificationRun_imageId_createdAt_idx" ON "VerificationRun"("imageId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "VerificationRun_status_idx" ON "VerificationRun"("status");

-- CreateIndex
CREATE INDEX "SignatureResult_runId_idx" ON "SignatureResult"("runId");

-- CreateIndex
CREATE INDEX "SignatureResult_signatureId_idx" ON "SignatureResult"("signatureId");
