-- CreateTable
CREATE TABLE "ScanJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
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
    "runner" TEXT NOT NULL DEFAULT 'in-process'
);

-- CreateTable
CREATE TABLE "ScanItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scanId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "registry" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "tag" TEXT NOT NULL DEFAULT '',
    "digest" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "outcome" TEXT,
    "reused" BOOLEAN NOT NULL DEFAULT false,
    "previousDigest" TEXT,
    "runId" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "ScanItem_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "ScanJob" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Report" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
    "content" BLOB NOT NULL,
    "summary" TEXT NOT NULL,
    "attestation" TEXT,
    "sigscopeVersion" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "CheckpointObservation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "logId" TEXT NOT NULL,
    "logUrl" TEXT NOT NULL,
    "treeSize" BIGINT NOT NULL,
    "rootHash" TEXT NOT NULL,
    "checkpoint" TEXT NOT NULL,
    "observedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "previousId" TEXT,
    "consistency" TEXT NOT NULL,
    "detail" TEXT
);

-- CreateTable
CREATE TABLE "IdentityWatch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL DEFAULT 'local',
    "identity" TEXT NOT NULL,
    "isRegexp" BOOLEAN NOT NULL DEFAULT false,
    "oidcIssuer" TEXT,
    "logUrl" TEXT NOT NULL,
    "stoppedAt" DATETIME
);

-- CreateTable
CREATE TABLE "WatchCheck" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "watchId" TEXT NOT NULL,
    "checkedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "treeSize" BIGINT,
    "newEntries" TEXT NOT NULL,
    "errorMessage" TEXT,
    CONSTRAINT "WatchCheck_watchId_fkey" FOREIGN KEY ("watchId") REFERENCES "IdentityWatch" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" DATETIME
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "ip" TEXT
);

-- CreateTable
CREATE TABLE "Secret" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "publicPart" TEXT NOT NULL DEFAULT '',
    "ciphertext" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_VerificationRun" (
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
    "policyVersionId" TEXT,
    "policyHash" TEXT NOT NULL,
    "trustRootName" TEXT NOT NULL,
    "trustRootHash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "scanId" TEXT,
    CONSTRAINT "VerificationRun_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "VerificationRun_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "ScanJob" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_VerificationRun" ("createdAt", "errorCode", "errorMessage", "finishedAt", "id", "imageId", "input", "policy", "policyHash", "policyVersionId", "source", "status", "summary", "tag", "trustRootHash", "trustRootName") SELECT "createdAt", "errorCode", "errorMessage", "finishedAt", "id", "imageId", "input", "policy", "policyHash", "policyVersionId", "source", "status", "summary", "tag", "trustRootHash", "trustRootName" FROM "VerificationRun";
DROP TABLE "VerificationRun";
ALTER TABLE "new_VerificationRun" RENAME TO "VerificationRun";
CREATE INDEX "VerificationRun_createdAt_id_idx" ON "VerificationRun"("createdAt" DESC, "id" DESC);
CREATE INDEX "VerificationRun_imageId_createdAt_idx" ON "VerificationRun"("imageId", "createdAt" DESC);
CREATE INDEX "VerificationRun_status_idx" ON "VerificationRun"("status");
CREATE INDEX "VerificationRun_scanId_idx" ON "VerificationRun"("scanId");
CREATE INDEX "VerificationRun_imageId_policyHash_trustRootHash_createdAt_idx" ON "VerificationRun"("imageId", "policyHash", "trustRootHash", "createdAt" DESC);
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
