/**
 * Writes a crafted signing history straight into a test database (Prisma creates, every
 * time chosen by the test): images, tag observations, certificates with Fulcio claims,
 * signatures, runs with results. For the timeline and findings query tests.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../lib/db/client';

export const GH_ISSUER = 'https://token.actions.githubusercontent.com';
export const workflow = (repo: string, file: string, ref: string) => `https://github.com/${repo}/.github/workflows/${file}@${ref}`;
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

export class HistoryWriter {
  private n = 0;
  /** Keeps content-addressed columns unique across writers on one database. */
  private readonly salt = Math.random().toString(36).slice(2);
  constructor(
    readonly db: Db,
    readonly t0 = Date.parse('2025-03-01T12:00:00Z'),
  ) {}

  at(minutes: number): Date {
    return new Date(this.t0 + minutes * 60_000);
  }

  digest(label: string): string {
    return `sha256:${hex(label)}`;
  }

  async image(registry: string, repository: string, label: string, minute = 0): Promise<{ id: string; digest: string }> {
    const digest = this.digest(`${registry}/${repository}/${label}`);
    const row = await this.db.image.create({
      data: { registry, repository, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: '[]', firstSeenAt: this.at(minute) },
    });
    return { id: row.id, digest };
  }

  tag(image: { id: string; digest: string }, tag: string, minute: number) {
    return this.db.tagObservation.create({ data: { imageId: image.id, tag, digest: image.digest, observedAt: this.at(minute) } });
  }

  /** A keyless signature with a certificate valid [minute - 1, minute + 9]; `signedAt: null` for no verified Rekor entry. */
  async keyless(
    image: { id: string },
    minute: number,
    o: { identity: string; issuer?: string; ref?: string; runner?: string; signedAt?: Date | null; notBefore?: Date; notAfter?: Date; kind?: string } ,
  ) {
    const i = `${this.salt}-${++this.n}`;
    const cert = await this.db.certificate.create({
      data: {
        fingerprintSha256: hex(`cert${i}`),
        pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
        subject: '',
        issuer: 'O=sigstore.dev, CN=sigstore-intermediate',
        identity: o.identity,
        oidcIssuer: o.issuer ?? GH_ISSUER,
        notBefore: o.notBefore ?? this.at(minute - 1),
        notAfter: o.notAfter ?? this.at(minute + 9),
        extensions: JSON.stringify({
          ...(o.ref ? { sourceRepositoryRef: o.ref, githubWorkflowRef: o.ref } : {}),
          runnerEnvironment: o.runner ?? 'github-hosted',
        }),
        firstSeenAt: this.at(minute + 1),
      },
    });
    const sig = await this.db.signature.create({
      data: {
        imageId: image.id,
        kind: o.kind ?? 'cosign-sig',
        source: `sig${i}`,
        layerDigest: `sha256:${hex(`layer${i}`)}`,
        payloadDigest: `sha256:${hex(`payload${i}`)}`,
        materialDigest: `sha256:${hex(`material${i}`)}`,
        signatureB64: 'c2ln',
        certificateId: cert.id,
        identity: o.identity,
        oidcIssuer: o.issuer ?? GH_ISSUER,
        rekorLogIndex: o.signedAt === null ? null : BigInt(1000 + this.n),
        rekorIntegratedTime: o.signedAt === undefined ? this.at(minute) : o.signedAt,
        firstSeenAt: this.at(minute + 1),
      },
    });
    return { signature: sig, certificate: cert };
  }

  async keySigned(image: { id: string }, minute: number, fingerprint: string) {
    const i = `${this.salt}-${++this.n}`;
    return this.db.signature.create({
      data: {
        imageId: image.id,
        kind: 'cosign-sig',
        source: `sig${i}`,
        layerDigest: `sha256:${hex(`layer${i}`)}`,
        payloadDigest: `sha256:${hex(`payload${i}`)}`,
        materialDigest: `sha256:${hex(`material${i}`)}`,
        signatureB64: 'c2ln',
        publicKeyFingerprint: fingerprint,
        rekorLogIndex: BigInt(1000 + this.n),
        rekorIntegratedTime: this.at(minute),
        firstSeenAt: this.at(minute + 1),
      },
    });
  }

  /** A finished run of `image` at `minute`, with one result per signature. */
  async run(image: { id: string } | null, minute: number, status: string, signatures: Array<{ id: string }> = [], verdict = 'verified') {
    return this.db.verificationRun.create({
      data: {
        createdAt: this.at(minute),
        finishedAt: this.at(minute),
        input: 'test',
        imageId: image?.id ?? null,
        status,
        policy: '{}',
        policyHash: 'h',
        trustRootName: 'sandbox',
        trustRootHash: 'h',
        source: 'cli',
        summary: JSON.stringify({ text: `run ${status}` }),
        results: { create: signatures.map((s) => ({ signatureId: s.id, verdict, checks: '[]' })) },
      },
    });
  }
}
