/**
 * For display: the issuing chain of a stored certificate, found among the CA certificates of
 * a trusted root by issuer name and authority key identifier. This matches; it does not
 * verify (the verification run checked the chain cryptographically, at signing time).
 */
import { certificateDetails, decodeCertificate } from '../x509';
import { trustRootChoices } from '../settings';
import { loadTrustRoot, PUBLIC_GOOD, STAGING, type LoadedTrustRoot } from './trust-root';

export interface ChainCertificate {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  subjectKeyId?: string;
  /** Self-issued: subject equals issuer (a root). */
  selfSigned: boolean;
  /** How it was matched to the certificate below it. */
  matchedBy: 'key-id' | 'name';
  /** The trusted root's CA entry it belongs to. */
  ca: { uri?: string; validFrom?: string; validUntil?: string };
}

export interface ChainResolution {
  /** The trusted root searched (as the run named it). */
  rootName: string;
  /** 'complete': up to a self-signed root; 'partial': stopped before one; 'none': no issuer found; 'unavailable': the root could not be loaded here. */
  outcome: 'complete' | 'partial' | 'none' | 'unavailable';
  chain: ChainCertificate[];
  /** Why the root could not be used, or a caveat (the root changed since the run). */
  note?: string;
  /** Other configured roots in which the issuer was found, when the run's root has no match. */
  foundIn?: string[];
}

interface CaCert extends ChainCertificate {
  authorityKeyId?: string;
}

const MAX_DEPTH = 8;
const decodedByRoot = new Map<string, CaCert[]>();

function caCertificates(root: LoadedTrustRoot): CaCert[] {
  const hit = decodedByRoot.get(root.hash);
  if (hit) return hit;
  const json = root.json as {
    certificateAuthorities?: Array<{ uri?: string; validFor?: { start?: string; end?: string }; certChain?: { certificates?: Array<{ rawBytes?: string }> } }>;
  };
  const out: CaCert[] = [];
  for (const ca of json.certificateAuthorities ?? []) {
    for (const c of ca.certChain?.certificates ?? []) {
      if (typeof c.rawBytes !== 'string') continue;
      try {
        const der = new Uint8Array(Buffer.from(c.rawBytes, 'base64'));
        const d = decodeCertificate(der);
        const k = certificateDetails(der);
        out.push({
          subject: d.subject,
          issuer: d.issuer,
          notBefore: d.notBefore,
          notAfter: d.notAfter,
          fingerprintSha256: d.fingerprintSha256,
          ...(k.subjectKeyId ? { subjectKeyId: k.subjectKeyId } : {}),
          ...(k.authorityKeyId ? { authorityKeyId: k.authorityKeyId } : {}),
          selfSigned: d.subject === d.issuer,
          matchedBy: 'name',
          ca: { uri: ca.uri, validFrom: ca.validFor?.start, validUntil: ca.validFor?.end },
        });
      } catch {
        // An undecodable CA certificate cannot be part of a chain we show.
      }
    }
  }
  decodedByRoot.set(root.hash, out);
  return out;
}

/** Walks up from the leaf: issuer DN must match; the authority key id too when both sides have one. */
export function findChain(leaf: { issuer: string; authorityKeyId?: string; notBefore?: string }, root: LoadedTrustRoot): ChainCertificate[] {
  const cas = caCertificates(root);
  // Among equal matches (a CA re-issued with the same key), prefer one valid when the leaf was issued.
  const at = leaf.notBefore ?? '';
  const validAt = (c: CaCert) => c.notBefore <= at && at <= c.notAfter;
  const chain: ChainCertificate[] = [];
  let current: { issuer: string; authorityKeyId?: string; fingerprintSha256?: string } = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const byName = cas.filter((c) => c.subject === current.issuer && c.fingerprintSha256 !== current.fingerprintSha256);
    const byKey = current.authorityKeyId ? byName.filter((c) => c.subjectKeyId === current.authorityKeyId) : [];
    // With a key id on both sides, a name-only match would be a different key: not the issuer.
    const candidates = byKey.length ? byKey : byName.filter((c) => !current.authorityKeyId || !c.subjectKeyId);
    const next = candidates.find(validAt) ?? candidates[0];
    if (!next || chain.some((c) => c.fingerprintSha256 === next.fingerprintSha256)) break;
    const { authorityKeyId: _aki, ...shown } = next;
    chain.push({ ...shown, matchedBy: byKey.length ? 'key-id' : 'name' });
    if (next.selfSigned) break;
    current = next;
  }
  return chain;
}

/** Loads a trusted root by the name a run recorded; null when it is not available here. */
export function trustRootByRunName(name: string): LoadedTrustRoot | null {
  try {
    if (name === PUBLIC_GOOD) return loadTrustRoot();
    if (name === STAGING) return loadTrustRoot(STAGING);
    const choice = trustRootChoices().find((c) => c.name === name || (c.path !== undefined && c.path === name));
    if (!choice) return null;
    return choice.path ? loadTrustRoot(choice.path) : loadTrustRoot();
  } catch {
    return null;
  }
}

/**
 * The chain of a certificate (PEM) in the trusted root a run used. Only roots known here
 * (public-good, staging, the configured ones) are read, never a path taken from the database.
 */
export function resolveChain(pem: string, run: { trustRootName: string; trustRootHash: string } | null): ChainResolution {
  const leaf = decodeCertificate(pem);
  const { authorityKeyId } = certificateDetails(pem);
  const start = { issuer: leaf.issuer, notBefore: leaf.notBefore, ...(authorityKeyId ? { authorityKeyId } : {}) };
  const rootName = run?.trustRootName ?? PUBLIC_GOOD;
  const root = trustRootByRunName(rootName);
  const elsewhere = () => {
    const names = [PUBLIC_GOOD, STAGING, ...trustRootChoices().map((c) => c.name)].filter((n, i, all) => n !== rootName && all.indexOf(n) === i);
    return names.filter((n) => {
      const r = trustRootByRunName(n);
      return r !== null && findChain(start, r).length > 0;
    });
  };
  if (!root) {
    return {
      rootName,
      outcome: 'unavailable',
      chain: [],
      note: `The run used the trusted root "${rootName}", which is not configured here, so its CA certificates cannot be shown.`,
      foundIn: elsewhere(),
    };
  }
  const chain = findChain(start, root);
  const outcome = chain.length === 0 ? 'none' : chain[chain.length - 1]!.selfSigned ? 'complete' : 'partial';
  const changed = run && /^[a-f0-9]{64}$/.test(run.trustRootHash) && run.trustRootHash !== root.hash;
  return {
    rootName,
    outcome,
    chain,
    ...(changed ? { note: `The trusted root "${rootName}" has changed since the run (its content hash differs); the chain below is from its current content.` } : {}),
    ...(run ? {} : { note: 'No verification run judged a signature made with this certificate; the public-good root was searched.' }),
    ...(chain.length === 0 ? { foundIn: elsewhere() } : {}),
  };
}

/** CT logs known to the given roots (as runs name them) and to public-good: base64 log id → base URL. */
export function ctLogNames(rootNames: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of [...new Set([...rootNames, PUBLIC_GOOD])]) {
    const root = trustRootByRunName(name);
    const json = root?.json as { ctlogs?: Array<{ baseUrl?: string; logId?: { keyId?: string } }> } | undefined;
    for (const l of json?.ctlogs ?? []) {
      if (l.logId?.keyId && !out.has(l.logId.keyId)) out.set(l.logId.keyId, `${l.baseUrl ?? 'unnamed log'} (trusted root ${name})`);
    }
  }
  return out;
}
