-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Image" (
    "id" TEXT NOT NULL,
    "registry" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "platforms" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TagObservation" (
    "id" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TagObservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL,
    "fingerprintSha256" TEXT NOT NULL,
    "pem" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "identity" TEXT,
    "oidcIssuer" TEXT,
    "notBefore" TIMESTAMP(3) NOT NULL,
    "notAfter" TIMESTAMP(3) NOT NULL,
    "extensions" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Signature" (
    "id" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "layerDigest" TEXT NOT NULL,
    "payloadDigest" TEXT NOT NULL,
    "materialDigest" TEXT NOT NULL DEFAULT '',
    "signatureB64" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'cosign-sig',
    "artifactType" TEXT,
    "predicateType" TEXT,
    "statement" TEXT,
    "certificateId" TEXT,
    "publicKeyFingerprint" TEXT,
    "identity" TEXT,
    "oidcIssuer" TEXT,
    "rekorLogIndex" BIGINT,
    "rekorLogId" TEXT,
    "rekorIntegratedTime" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Signature_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VerificationRun" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "input" TEXT NOT NULL,
    "imageId" TEXT,
    "tag" TEXT,
    "status" TEXT NOT NULL,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "policy" TEXT NOT NULL,
    "policyVersionId" TEXT,
    "policyHash" TEXT NOT NULL,
    "trustRootName" TEXT NOT NULL,
    "trustRootHash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "scanId" TEXT,

    CONSTRAINT "VerificationRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignatureResult" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "signatureId" TEXT,
    "verdict" TEXT NOT NULL,
    "reasonCode" TEXT,
    "reason" TEXT,
    "checks" TEXT NOT NULL,
    "identity" TEXT,
    "oidcIssuer" TEXT,
    "platform" TEXT,

    CONSTRAINT "SignatureResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Policy" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PolicyVersion" (
    "id" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "yaml" TEXT NOT NULL,
    "parsed" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "PolicyVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FindingAck" (
    "id" TEXT NOT NULL,
    "findingKey" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "actor" TEXT NOT NULL DEFAULT 'local',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FindingAck_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScanJob" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "spec" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errorMessage" TEXT,
    "policy" TEXT NOT NULL,
    "policyVersionId" TEXT,
    "policyHash" TEXT NOT NULL,
    "trustRootName" TEXT NOT NULL,
    "trustRootHash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "actor" TEXT NOT NULL DEFAULT 'local',
    "runner" TEXT NOT NULL DEFAULT 'in-process',

    CONSTRAINT "ScanJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScanItem" (
    "id" TEXT NOT NULL,
    "scanId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "registry" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "tag" TEXT NOT NULL DEFAULT '',
    "digest" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "outcome" TEXT,
    "reused" BOOLEAN NOT NULL DEFAULT false,
    "previousDigest" TEXT,
    "runId" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ScanItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL DEFAULT 'local',
    "scope" TEXT NOT NULL,
    "scopeLabel" TEXT NOT NULL,
    "policyName" TEXT,
    "policyVersionId" TEXT,
    "format" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,
    "summary" TEXT NOT NULL,
    "attestation" TEXT,
    "sigscopeVersion" TEXT NOT NULL,

    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckpointObservation" (
    "id" TEXT NOT NULL,
    "logId" TEXT NOT NULL,
    "logUrl" TEXT NOT NULL,
    "treeSize" BIGINT NOT NULL,
    "rootHash" TEXT NOT NULL,
    "checkpoint" TEXT NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "previousId" TEXT,
    "consistency" TEXT NOT NULL,
    "detail" TEXT,

    CONSTRAINT "CheckpointObservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdentityWatch" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL DEFAULT 'local',
    "identity" TEXT NOT NULL,
    "isRegexp" BOOLEAN NOT NULL DEFAULT false,
    "oidcIssuer" TEXT,
    "logUrl" TEXT NOT NULL,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "IdentityWatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchCheck" (
    "id" TEXT NOT NULL,
    "watchId" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "treeSize" BIGINT,
    "newEntries" TEXT NOT NULL,
    "errorMessage" TEXT,

    CONSTRAINT "WatchCheck_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMP(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "ip" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Secret" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "publicPart" TEXT NOT NULL DEFAULT '',
    "ciphertext" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Secret_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "Signature_identity_oidcIssuer_idx" ON "Signature"("identity", "oidcIssuer");

-- CreateIndex
CREATE INDEX "Signature_publicKeyFingerprint_idx" ON "Signature"("publicKeyFingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "Signature_imageId_layerDigest_payloadDigest_materialDigest_key" ON "Signature"("imageId", "layerDigest", "payloadDigest", "materialDigest");

-- CreateIndex
CREATE INDEX "VerificationRun_createdAt_id_idx" ON "VerificationRun"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "VerificationRun_imageId_createdAt_idx" ON "VerificationRun"("imageId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "VerificationRun_status_idx" ON "VerificationRun"("status");

-- CreateIndex
CREATE INDEX "VerificationRun_scanId_idx" ON "VerificationRun"("scanId");

-- CreateIndex
CREATE INDEX "VerificationRun_imageId_policyHash_trustRootHash_createdAt_idx" ON "VerificationRun"("imageId", "policyHash", "trustRootHash", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "SignatureResult_runId_idx" ON "SignatureResult"("runId");

-- CreateIndex
CREATE INDEX "SignatureResult_signatureId_idx" ON "SignatureResult"("signatureId");

-- CreateIndex
CREATE UNIQUE INDEX "Policy_name_key" ON "Policy"("name");

-- CreateIndex
CREATE UNIQUE INDEX "PolicyVersion_policyId_version_key" ON "PolicyVersion"("policyId", "version");

-- CreateIndex
CREATE INDEX "FindingAck_findingKey_createdAt_idx" ON "FindingAck"("findingKey", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "ScanJob_createdAt_idx" ON "ScanJob"("createdAt" DESC);

-- CreateIndex
CREATE INDEX "ScanJob_status_idx" ON "ScanJob"("status");

-- CreateIndex
CREATE INDEX "ScanItem_scanId_state_idx" ON "ScanItem"("scanId", "state");

-- CreateIndex
CREATE INDEX "ScanItem_scanId_kind_outcome_idx" ON "ScanItem"("scanId", "kind", "outcome");

-- CreateIndex
CREATE UNIQUE INDEX "ScanItem_scanId_kind_registry_repository_tag_key" ON "ScanItem"("scanId", "kind", "registry", "repository", "tag");

-- CreateIndex
CREATE INDEX "Report_createdAt_idx" ON "Report"("createdAt" DESC);

-- CreateIndex
CREATE INDEX "CheckpointObservation_logId_observedAt_idx" ON "CheckpointObservation"("logId", "observedAt" DESC);

-- CreateIndex
CREATE INDEX "WatchCheck_watchId_checkedAt_idx" ON "WatchCheck"("watchId", "checkedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_actor_at_idx" ON "AuditEvent"("actor", "at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Secret_kind_name_key" ON "Secret"("kind", "name");

-- AddForeignKey
ALTER TABLE "TagObservation" ADD CONSTRAINT "TagObservation_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signature" ADD CONSTRAINT "Signature_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signature" ADD CONSTRAINT "Signature_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationRun" ADD CONSTRAINT "VerificationRun_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationRun" ADD CONSTRAINT "VerificationRun_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "ScanJob"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignatureResult" ADD CONSTRAINT "SignatureResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "VerificationRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignatureResult" ADD CONSTRAINT "SignatureResult_signatureId_fkey" FOREIGN KEY ("signatureId") REFERENCES "Signature"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PolicyVersion" ADD CONSTRAINT "PolicyVersion_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScanItem" ADD CONSTRAINT "ScanItem_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "ScanJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchCheck" ADD CONSTRAINT "WatchCheck_watchId_fkey" FOREIGN KEY ("watchId") REFERENCES "IdentityWatch"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
