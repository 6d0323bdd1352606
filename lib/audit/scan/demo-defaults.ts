/** What the New scan form is pre-filled with in the demo: the sandbox organization and its signer. */
import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '../../settings';

export interface DemoScanDefaults {
  targets?: string;
  identity?: string;
  issuer?: string;
  publicKeyPem?: string;
}

/** Written by scripts/demo.ts next to the sandbox; absent outside the demo. */
export function demoScanDefaults(): DemoScanDefaults | undefined {
  const file = path.join(dataDir(), 'sandbox', 'demo-scan.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoScanDefaults;
  } catch {
    return undefined;
  }
}
