import { describe, expect, it } from 'vitest';
import { parseStatement } from '../attest/statement';
import { readFixtureJson } from '../../tests/support/fixtures';
import { evaluateRequirements } from './attestation-requirements';
import type { SignatureVerdict } from './result';

// Real SLSA v1 provenance: the DSSE payload of sigstore-js 2.0.0's npm provenance bundle.
const bundle = readFixtureJson<{ dsseEnvelope: { payloadType: string; payload: string } }>('sigstore-go', 'bundles', 'sigstore.js@2.0.0-provenance.sigstore.json');
const statement = parseStatement(bundle.dsseEnvelope.payloadType, Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
const SLSA = 'https://slsa.dev/provenance/v1';
const verified: SignatureVerdict = { verdict: 'verified', checks: [], signer: { kind: 'keyless', identity: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main' } };
const failed: SignatureVerdict = { verdict: 'failed', reasonCode: 'IDENTITY_MISMATCH', reason: 'certificate identity is X, policy expects Y', checks: [], signer: { kind: 'keyless' } };

describe('evaluateRequirements on real SLSA provenance', () => {
  it('is met by a verified attestation with the right builder and source (exact or the image repository)', () => {
    const [r] = evaluateRequirements([{ predicateType: SLSA, builderId: 'https://github.com/actions/runner/github-hosted', sourceRepository: 'image' }], [{ statement, result: verified }], 'sigstore/sigstore-js');
    expect(r?.met).toBe(true);
    expect(r?.detail).toContain('builder https://github.com/actions/runner/github-hosted');
    const [exact] = evaluateRequirements([{ predicateType: SLSA, sourceRepository: 'https://github.com/sigstore/sigstore-js' }], [{ statement, result: verified }], 'other/name');
    expect(exact?.met).toBe(true);
  });

  it('is not met by another builder, another source, an unverified attestation, or none', () => {
    const other = evaluateRequirements([{ predicateType: SLSA, builderId: 'https://example.com/builder' }], [{ statement, result: verified }], 'sigstore/sigstore-js')[0];
    expect(other).toMatchObject({ met: false });
    expect(other?.detail).toContain('builder ID is https://github.com/actions/runner/github-hosted, policy expects https://example.com/builder');
    expect(evaluateRequirements([{ predicateType: SLSA, sourceRepository: 'image' }], [{ statement, result: verified }], 'acme/fork')[0]?.met).toBe(false);
    expect(evaluateRequirements([{ predicateType: SLSA }], [{ statement, result: failed }], 'sigstore/sigstore-js')[0]?.detail).toContain('none verified: certificate identity is X');
    expect(evaluateRequirements([{ predicateType: 'https://spdx.dev/Document' }], [{ statement, result: verified }], 'x/y')[0]?.detail).toBe('no https://spdx.dev/Document attestation is attached');
  });
});
