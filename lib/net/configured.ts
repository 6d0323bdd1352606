/**
 * The outbound policy an administrator configured: Settings → Allowed hosts plus
 * SIGSCOPE_ALLOW_HOSTS (readSettings merges both). Clients built without an
 * explicit policy use this one, so every path (dashboard, CLI, scans) is guarded.
 */
import { readSettings } from '../settings';
import { OutboundPolicy } from './outbound';

export function configuredOutboundPolicy(): OutboundPolicy {
  return new OutboundPolicy({ allowHosts: readSettings().allowedHosts });
}
