import Link from 'next/link';
import type { IdentityRef } from '@/lib/db/identity-key';
import { WrapAt } from './wrap-at';

/** An identity as people read it: the certificate subject, or a key by fingerprint. */
export function IdentityName({ identityKey, ref_, link = true, keyName }: { identityKey: string; ref_: IdentityRef; link?: boolean; keyName?: string }) {
  const text = ref_.kind === 'keyless' ? ref_.subject : `${keyName ? `${keyName} · ` : ''}key sha256:${ref_.fingerprint.slice(0, 16)}…`;
  const body = (
    <span className="font-mono text-xs [overflow-wrap:anywhere]" title={ref_.kind === 'key' ? `sha256:${ref_.fingerprint}` : undefined}>
      <WrapAt text={text} />
    </span>
  );
  return link ? <Link href={`/identities/${identityKey}`}>{body}</Link> : body;
}
