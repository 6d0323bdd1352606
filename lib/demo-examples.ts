/** Reads the demo's scenario list (written by `npm run demo`), if any, for the home page. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { dataDir } from './settings';

const ExamplesSchema = z.object({
  identity: z.string(),
  issuer: z.string(),
  publicKeyPem: z.string(),
  scenarios: z.array(z.object({ name: z.string(), reference: z.string(), description: z.string(), expect: z.string() })).max(100),
});
export type Examples = z.infer<typeof ExamplesSchema>;

export function readDemoExamples(): Examples | undefined {
  const file = path.join(dataDir(), 'sandbox', 'scenarios.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = ExamplesSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // A half-written file while the demo seeds: show no examples rather than fail the page.
    return undefined;
  }
}
