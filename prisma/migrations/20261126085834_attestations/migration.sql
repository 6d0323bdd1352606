-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Signature" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "rekorIntegratedTime" DATETIME,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Signature_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Signature_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Signature" ("certificateId", "firstSeenAt", "id", "identity", "imageId", "kind", "layerDigest", "materialDigest", "oidcIssuer", "payloadDigest", "publicKeyFingerprint", "rekorIntegratedTime", "rekorLogId", "rekorLogIndex", "signatureB64", "source") SELECT "certificateId", "firstSeenAt", "id", "identity", "imageId", "kind", "layerDigest", "materialDigest", "oidcIssuer", "payloadDigest", "publicKeyFingerprint", "rekorIntegratedTime", "rekorLogId", "rekorLogIndex", "signatureB64", "source" FROM "Signature";
DROP TABLE "Signature";
ALTER TABLE "new_Signature" RENAME TO "Signature";
CREATE INDEX "Signature_certificateId_idx" ON "Signature"("certificateId");
CREATE UNIQUE INDEX "Signature_imageId_layerDigest_payloadDigest_materialDigest_key" ON "Signature"("imageId", "layerDigest", "payloadDigest", "materialDigest");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
