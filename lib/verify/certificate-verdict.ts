/**
 * Plain-language statements about a signing certificate for its page: what kind of signer
 * its OIDC issuer vouches for, and how publicly its issuance and use were recorded. They
 * describe; they never upgrade a verdict (the verification runs decide what verified).
 */
import type { DecodedCertificate } from '../x509';

export interface CertificateStatement {
  tone: 'good' | 'warn';
  text: string;
}

const GITHUB_ACTIONS = /^https:\/\/token\.actions\.githubusercontent\.com(\/[^/]+)?$/;

/** What the issuer vouches for, by known provider; says so when the provider is unknown. */
export function describeIssuer(oidcIssuer: string | undefined): string {
  if (!oidcIssuer) return 'The certificate names no OIDC issuer (it has no Fulcio issuer extension): it is not a Fulcio signing certificate, and Sigscope cannot say who vouched for its subject.';
  if (GITHUB_ACTIONS.test(oidcIssuer)) {
    return 'A GitHub Actions workflow run: the subject names the workflow file and the ref it ran at, and the extensions carry the repository, trigger and runner claims GitHub put in the token.';
  }
  if (oidcIssuer === 'https://accounts.google.com') return 'A Google account (a person or a service account) that signed in: the subject is an email address; there are no build claims.';
  if (oidcIssuer === 'https://github.com/login/oauth') return 'A GitHub account that signed in through OAuth: the subject is its email address. This is a person, not a CI workflow.';
  if (oidcIssuer === 'https://oauth2.sigstore.dev/auth') return "Sigstore's own login service (Dex), federating a GitHub, Google or Microsoft account: the subject is an email address.";
  if (/^https:\/\/gitlab\.[^/]+$/.test(oidcIssuer) || oidcIssuer === 'https://gitlab.com') {
    return 'A GitLab CI/CD pipeline: the subject names the project and ref; the extensions carry the pipeline claims.';
  }
  if (oidcIssuer === 'https://agent.buildkite.com') return 'A Buildkite pipeline job: the subject names the organization and pipeline.';
  if (/^https:\/\/container\.googleapis\.com\//.test(oidcIssuer)) return 'A Google Kubernetes Engine workload identity: the subject names the Kubernetes service account.';
  return `An identity issued by ${oidcIssuer}, a provider Sigscope has no specific knowledge of: read the subject and extensions below as that provider defines them.`;
}

/** Whether the certificate was logged to CT (SCT) and its signatures to Rekor, said honestly. */
export function transparencyStatement(d: Pick<DecodedCertificate, 'issuer' | 'sctCount'>, hasTlog: boolean): CertificateStatement {
  const githubPrivate = /O=GitHub\\?, Inc\./.test(d.issuer) && /Fulcio/.test(d.issuer);
  if (d.sctCount === 0 && githubPrivate) {
    return {
      tone: 'warn',
      text:
        "Issued by GitHub's private Fulcio (the instance GitHub uses for private repositories): it carries no SCT, so it was not logged to any Certificate Transparency log, " +
        (hasTlog ? 'although a signature made with it has a Rekor entry. ' : 'and no signature made with it has a Rekor entry. ') +
        "Its evidence is GitHub's CA chain and a signed timestamp; its issuance cannot be audited outside GitHub. A verification accepts it only with a trusted root that contains GitHub's CA.",
    };
  }
  if (d.sctCount === 0) {
    return {
      tone: 'warn',
      text:
        'No SCT: this certificate was not logged to Certificate Transparency, so its issuance cannot be audited publicly. Public-good Fulcio always embeds one; expect this only from a private instance whose trusted root has no CT log.' +
        (hasTlog ? ' Signatures made with it do have a Rekor entry.' : ' No signature made with it has a verified Rekor entry either.'),
    };
  }
  return {
    tone: hasTlog ? 'good' : 'warn',
    text:
      `Logged to Certificate Transparency at issuance (${d.sctCount} SCT${d.sctCount === 1 ? '' : 's'} embedded). ` +
      (hasTlog ? 'Signatures made with it are recorded in a Rekor transparency log.' : 'No signature made with it has a verified Rekor entry.'),
  };
}
