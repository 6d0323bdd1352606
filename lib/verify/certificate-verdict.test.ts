// The statements on a certificate page, for real certificates from several issuers.
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { decodeCertificate } from '../x509';
import { describeIssuer, transparencyStatement } from './certificate-verdict';

const cert = (name: string) => decodeCertificate(readFixture('x509-from-bundles', name).toString('utf8'));

describe('transparencyStatement', () => {
  it("is honest about GitHub's private Fulcio: no SCT, no tlog", () => {
    const d = cert('github-private-instance-2026-07-24.pem');
    expect(d.sctCount).toBe(0);
    const s = transparencyStatement(d, false);
    expect(s.tone).toBe('warn');
    expect(s.text).toMatch(/GitHub's private Fulcio/);
    expect(s.text).toMatch(/no SCT/);
    expect(s.text).toMatch(/no signature made with it has a Rekor entry/);
  });

  it('credits a public-good certificate with its SCT, and only with a Rekor entry when there is one', () => {
    const d = cert('sigstore-js-release-2023-08-18.pem');
    expect(transparencyStatement(d, true)).toEqual({ tone: 'good', text: expect.stringMatching(/1 SCT embedded.*recorded in a Rekor/) });
    expect(transparencyStatement(d, false).tone).toBe('warn');
  });

  it('warns on a certificate without SCT from another instance', () => {
    const s = transparencyStatement({ issuer: 'CN=private-fulcio', sctCount: 0 }, true);
    expect(s.tone).toBe('warn');
    expect(s.text).toMatch(/^No SCT/);
    expect(s.text).not.toMatch(/GitHub/);
  });
});

describe('describeIssuer', () => {
  it.each([
    ['sigstore-js-release-2023-08-18.pem', /GitHub Actions workflow run/],
    ['google-account-cpython-3.12.5-2024-08-06.pem', /Google account/],
    ['github-oauth-email-2023-04-26.pem', /not a CI workflow/],
    ['github-private-instance-2026-07-24.pem', /GitHub Actions workflow run/],
  ])('%s', (file, expected) => {
    expect(describeIssuer(cert(file).oidcIssuer)).toMatch(expected);
  });

  it('covers GitLab, Buildkite, unknown providers and certificates with no issuer', () => {
    expect(describeIssuer('https://gitlab.com')).toMatch(/GitLab/);
    expect(describeIssuer('https://agent.buildkite.com')).toMatch(/Buildkite/);
    expect(describeIssuer('https://token.actions.githubusercontent.com/acme')).toMatch(/GitHub Actions/);
    expect(describeIssuer('https://idp.example')).toMatch(/no specific knowledge/);
    expect(describeIssuer(undefined)).toMatch(/names no OIDC issuer/);
  });
});
