/**
 * Policy files: YAML close to Sigstore policy-controller's ClusterImagePolicy, so a team can
 * import what it already has. One file may hold several `---` documents; each is one policy.
 *
 *   apiVersion: policy.sigstore.dev/v1beta1        # or v1alpha1
 *   kind: ClusterImagePolicy
 *   metadata:
 *     name: release-signed                         # DNS-style name, unique in the file
 *   spec:
 *     mode: enforce                                # enforce (default) | warn
 *     images:
 *       - glob: "ghcr.io/acme/**"                  # see ./match.ts
 *     authorities:                                 # an image passes when ONE authority is satisfied
 *       - name: release-workflow
 *         keyless:
 *           url: https://fulcio.sigstore.dev       # informational
 *           identities:                            # any one identity
 *             - issuer: https://token.actions.githubusercontent.com     # or issuerRegExp
 *               subjectRegExp: https://github\.com/acme/.*             # or subject (exact)
 *               github:                            # Sigscope extension
 *                 repository: acme/widget
 *                 ref: refs/tags/v*                # exact, or a glob when it contains "*"
 *                 trigger: push
 *                 workflow: Release                # the workflow name claim
 *         attestations:                            # required, signed by this authority
 *           - name: provenance
 *             predicateType: https://slsa.dev/provenance/v1            # or slsaprovenance1, spdxjson…
 *             builderId: https://github.com/actions/runner/github-hosted  # Sigscope extension
 *             sourceRepository: image              # Sigscope extension (URL or "image")
 *       - name: release-key
 *         key:
 *           data: |
 *             -----BEGIN PUBLIC KEY-----
 *             …
 *         ctlog:
 *           url: https://rekor.sigstore.dev        # informational
 *         insecureIgnoreTlog: false                # Sigscope extension
 *     attestations: []                             # Sigscope extension: required of every authority
 *
 * Semantics: regexps are anchored (they must match the whole value) and exact values must be
 * equal, as in lib/verify/policy.ts. policy-controller features Sigscope does not evaluate
 * (CUE/Rego `policy`, `static`, `source`, KMS keys, `ca-cert`, `match`…) are refused with a
 * message rather than ignored: ignoring them would make a verdict more lenient than intended.
 *
 * Input is hostile until proven otherwise: 256 KiB at most, 32 documents, no YAML aliases
 * (billion-laughs), unique keys, unknown fields refused. Every error names its line and field:
 * `line 14: spec.authorities[0].keyless.identities[0].issuer: required`.
 */
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Node as YamlNode } from 'yaml';
import { regExpProblem } from './regex-safety';
import { z } from 'zod';
import { SigscopeError } from '../errors';
import { compilePolicy, parsePublicKey } from '../verify/policy';
import { PREDICATE_TYPE_SHORT_NAMES, signerPoliciesFor } from './evaluate';
import { ParsedPolicySchema, type ImagePolicy, type ParsedPolicy, type PolicyAttestation, type PolicyAuthority } from './types';

export const MAX_POLICY_BYTES = 256 * 1024;
export const MAX_DOCUMENTS = 32;
const MAX_ISSUES = 20;

export interface PolicyIssue {
  /** 1-based line in the file, when known. */
  line?: number;
  column?: number;
  /** Field path, e.g. spec.authorities[0].keyless.identities[0].issuer. */
  path: string;
  message: string;
}

/** A policy file that does not parse or validate; `issues` each name a line and a field. */
export class PolicyParseError extends SigscopeError {
  readonly issues: PolicyIssue[];
  constructor(issues: PolicyIssue[]) {
    super('INVALID_POLICY', issues.map(formatIssue).join('\n'), { details: { issues } });
    this.name = 'PolicyParseError';
    this.issues = issues;
  }
}

export function isPolicyParseError(e: unknown): e is PolicyParseError {
  return e instanceof PolicyParseError;
}

export function formatIssue(i: PolicyIssue): string {
  return `${i.line ? `line ${i.line}: ` : ''}${i.path ? `${i.path}: ` : ''}${i.message}`;
}

/** ['spec', 'authorities', 0, 'name'] → "spec.authorities[0].name". */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The document schema (what people write)

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const Text = (max = 1024) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'contains a control character');

const Name = z
  .string()
  .max(253, 'at most 253 characters')
  .regex(/^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS-style name (a-z, 0-9, "-" and "."), as Kubernetes names are');

const Url = Text(2048).refine((s) => /^https?:\/\/[^\s/]+/.test(s), 'must be an http(s) URL');

const RegExpText = Text().superRefine((s, ctx) => {
  const problem = regExpProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: `regexp ${problem}` });
});

/** Image globs: the characters of registry/repository names plus "*". */
const Glob = Text(512)
  .refine((s) => /^[A-Za-z0-9._\-/:*]+$/.test(s), 'a glob may use letters, digits, ".", "_", "-", "/", ":" (a registry port) and "*"')
  .refine((s) => !s.split('/').slice(1).some((seg) => seg.includes(':')), 'globs match registry/repository: leave out the tag (":…")')
  .refine((s) => !s.startsWith('/') && !s.endsWith('/') && !s.includes('//'), 'a glob has no empty path segment');

const PredicateType = Text().refine(
  (s) => /^[a-z][a-z0-9+.-]*:/i.test(s) || s in PREDICATE_TYPE_SHORT_NAMES,
  `use a predicate type URI, or one of ${Object.keys(PREDICATE_TYPE_SHORT_NAMES).join(', ')}`,
);

function unsupported(what: string) {
  return z.never({ error: () => `not supported by Sigscope: ${what}` }).optional();
}

const AttestationInput = z
  .object({
    name: Text(128).optional(),
    predicateType: PredicateType,
    builderId: Text().optional(),
    sourceRepository: Text().optional(),
    policy: unsupported('CUE/Rego attestation policies are not evaluated; use builderId / sourceRepository, or remove the policy'),
  })
  .strict();

const GithubInput = z
  .object({
    repository: Text().optional(),
    ref: Text().optional(),
    trigger: Text().optional(),
    workflow: Text().optional(),
    sha: Text().optional(),
  })
  .strict();

const IdentityInput = z
  .object({
    issuer: Text().optional(),
    issuerRegExp: RegExpText.optional(),
    subject: Text().optional(),
    subjectRegExp: RegExpText.optional(),
    github: GithubInput.optional(),
  })
  .strict()
  .superRefine((i, ctx) => {
    if (i.issuer === undefined && i.issuerRegExp === undefined) ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'required (or issuerRegExp)' });
    if (i.issuer !== undefined && i.issuerRegExp !== undefined) ctx.addIssue({ code: 'custom', path: ['issuerRegExp'], message: 'give issuer or issuerRegExp, not both' });
    if (i.subject === undefined && i.subjectRegExp === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'required (or subjectRegExp)' });
    if (i.subject !== undefined && i.subjectRegExp !== undefined) ctx.addIssue({ code: 'custom', path: ['subjectRegExp'], message: 'give subject or subjectRegExp, not both' });
  });

const KeyInput = z
  .object({
    data: z
      .string()
      .max(16 * 1024, 'at most 16 KiB')
      .superRefine((pem, ctx) => {
        try {
          parsePublicKey(pem);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional(),
    hashAlgorithm: z.enum(['sha224', 'sha256', 'sha384', 'sha512']).optional(),
    kms: unsupported('KMS keys; paste the public key PEM in key.data'),
    secretRef: unsupported('Kubernetes secrets; paste the public key PEM in key.data'),
  })
  .strict()
  .superRefine((k, ctx) => {
    if (k.data === undefined) ctx.addIssue({ code: 'custom', path: ['data'], message: 'required: the PEM public key (cosign.pub)' });
  });

const AuthorityInput = z
  .object({
    name: Text(128).optional(),
    keyless: z
      .object({
        url: Url.optional(),
        trustRootRef: Text(253).optional(),
        identities: z.array(IdentityInput).min(1, 'give at least one identity').max(16, 'at most 16 identities'),
        'ca-cert': unsupported('custom CA certificates; configure a trusted root (Settings) instead'),
        insecureIgnoreSCT: unsupported('ignoring the SCT'),
      })
      .strict()
      .optional(),
    key: KeyInput.optional(),
    ctlog: z
      .object({ url: Url.optional(), trustRootRef: Text(253).optional() })
      .strict()
      .optional(),
    insecureIgnoreTlog: z.boolean().optional(),
    attestations: z.array(AttestationInput).max(16, 'at most 16 attestations').optional(),
    source: unsupported('signatures stored in another repository (source)'),
    static: unsupported('static pass/fail authorities'),
    rfc3161timestamp: unsupported('RFC 3161 timestamp authority settings (the trusted root provides them)'),
    signatureFormat: unsupported('signatureFormat (every format is read)'),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (!a.keyless && !a.key) ctx.addIssue({ code: 'custom', message: 'give keyless or key' });
    if (a.keyless && a.key) ctx.addIssue({ code: 'custom', path: ['key'], message: 'give keyless or key, not both (write two authorities to accept either)' });
  });

const SpecInput = z
  .object({
    mode: z.enum(['enforce', 'warn'], { error: () => 'must be enforce or warn' }).optional(),
    images: z.array(z.object({ glob: Glob, regex: unsupported('image regexps; use glob') }).strict()).min(1, 'give at least one image glob').max(64, 'at most 64 images'),
    authorities: z.array(AuthorityInput).min(1, 'give at least one authority').max(32, 'at most 32 authorities'),
    attestations: z.array(AttestationInput).max(16, 'at most 16 attestations').optional(),
    policy: unsupported('CUE/Rego policies over all authorities'),
    match: unsupported('Kubernetes resource matching (Sigscope checks images, not resources)'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.authorities.forEach((a, i) => {
      const name = a.name ?? `authority-${i}`;
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['authorities', i, 'name'], message: `duplicate authority name "${name}" (also authorities[${seen.get(name)}])` });
      else seen.set(name, i);
    });
  });

const DocumentInput = z
  .object({
    apiVersion: z.enum(['policy.sigstore.dev/v1beta1', 'policy.sigstore.dev/v1alpha1'], { error: () => 'must be policy.sigstore.dev/v1beta1 (or v1alpha1)' }),
    kind: z.literal('ClusterImagePolicy', { error: () => 'must be ClusterImagePolicy' }),
    metadata: z
      .object({
        name: Name,
        labels: z.record(z.string().max(317), z.string().max(1024)).optional(),
        annotations: z.record(z.string().max(317), z.string().max(16 * 1024)).optional(),
      })
      .strict(),
    spec: SpecInput,
    status: unsupported('status (a Kubernetes-managed field; remove it)'),
  })
  .strict();

type DocumentInput = z.infer<typeof DocumentInput>;

const KNOWN_FIELDS = [
  'apiVersion', 'kind', 'metadata', 'name', 'labels', 'annotations', 'spec', 'mode', 'images', 'glob', 'authorities', 'keyless', 'url', 'trustRootRef', 'identities',
  'issuer', 'issuerRegExp', 'subject', 'subjectRegExp', 'github', 'repository', 'ref', 'trigger', 'workflow', 'sha', 'key', 'data', 'hashAlgorithm', 'ctlog',
  'insecureIgnoreTlog', 'attestations', 'predicateType', 'builderId', 'sourceRepository',
];

/** Edit distance, bounded: enough to suggest "issuer" for "isuer" or "subjectRegExp" for "subjectRegexp". */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function nearMiss(key: string): string | undefined {
  if (key.length > 64) return undefined;
  const lower = key.toLowerCase();
  return KNOWN_FIELDS.find((k) => k !== key && k.toLowerCase() === lower) ?? KNOWN_FIELDS.find((k) => k.length > 3 && distance(k.toLowerCase(), lower) <= (k.length > 6 ? 2 : 1));
}

function describeValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

const EXPECTED: Record<string, string> = { string: 'a string', object: 'a mapping', array: 'a list', boolean: 'true or false', number: 'a number' };

/** Messages for people, whatever zod's defaults say. */
const errorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') {
    if (iss.input === undefined) return 'required';
    return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
  }
  return undefined;
};

// ---------------------------------------------------------------------------
// Parsing

interface Located {
  line?: number;
  column?: number;
}

/** The line of the deepest YAML node along `path` (the key's line for a mapping entry). */
function locate(contents: YamlNode | null, lc: LineCounter, path: ReadonlyArray<PropertyKey>, fallbackOffset: number): Located {
  let node: unknown = contents;
  let offset = (contents?.range?.[0] ?? fallbackOffset) as number;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const pos = lc.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function zodIssues(error: z.ZodError, where: (path: ReadonlyArray<PropertyKey>) => Located, prefix: ReadonlyArray<PropertyKey>): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...prefix, ...issue.path, key];
        const close = nearMiss(key);
        out.push({ ...where(path), path: formatPath(path), message: `unknown field${close ? ` (did you mean ${close}?)` : ''}` });
      }
      continue;
    }
    const path = [...prefix, ...issue.path];
    out.push({ ...where(path), path: formatPath(path), message: issue.message });
  }
  return out;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function normalizeAttestation(a: z.infer<typeof AttestationInput>): PolicyAttestation {
  return {
    ...(a.name !== undefined ? { name: a.name } : {}),
    predicateType: a.predicateType,
    ...(a.builderId !== undefined ? { builderId: a.builderId } : {}),
    ...(a.sourceRepository !== undefined ? { sourceRepository: a.sourceRepository } : {}),
  };
}

function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function normalize(d: DocumentInput): ImagePolicy {
  return {
    name: d.metadata.name,
    ...(d.metadata.labels ? { labels: d.metadata.labels } : {}),
    ...(d.metadata.annotations ? { annotations: d.metadata.annotations } : {}),
    mode: d.spec.mode ?? 'enforce',
    images: d.spec.images.map((i) => ({ glob: i.glob })),
    authorities: d.spec.authorities.map(
      (a, i): PolicyAuthority =>
        defined({
          name: a.name ?? `authority-${i}`,
          keyless: a.keyless
            ? defined({
                url: a.keyless.url,
                trustRootRef: a.keyless.trustRootRef,
                identities: a.keyless.identities.map((id) =>
                  defined({
                    issuer: id.issuer,
                    issuerRegExp: id.issuerRegExp,
                    subject: id.subject,
                    subjectRegExp: id.subjectRegExp,
                    github: id.github && Object.keys(defined(id.github)).length ? defined(id.github) : undefined,
                  }),
                ),
              })
            : undefined,
          key: a.key ? defined({ data: `${a.key.data!.trim()}\n`, hashAlgorithm: a.key.hashAlgorithm }) : undefined,
          ctlog: a.ctlog && Object.keys(defined(a.ctlog)).length ? defined(a.ctlog) : undefined,
          insecureIgnoreTlog: a.insecureIgnoreTlog,
          attestations: (a.attestations ?? []).map(normalizeAttestation),
        }),
    ),
    attestations: (d.spec.attestations ?? []).map(normalizeAttestation),
  };
}

/**
 * Parses and validates a policy file. Throws PolicyParseError (INVALID_POLICY) listing every
 * problem found (up to 20), each with its line and field.
 */
export function parsePolicyYaml(text: string): ParsedPolicy {
  if (typeof text !== 'string') throw new PolicyParseError([{ path: '', message: 'the policy must be YAML text' }]);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_BYTES) throw new PolicyParseError([{ path: '', message: `the policy is ${bytes} bytes, above the ${MAX_POLICY_BYTES / 1024} KiB limit` }]);
  if (text.trim() === '') throw new PolicyParseError([{ line: 1, path: '', message: 'the policy is empty: expected a ClusterImagePolicy document' }]);

  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true, merge: false });
  if (!Array.isArray(docs)) throw new PolicyParseError([{ line: 1, path: '', message: 'not a YAML stream' }]);
  const issues: PolicyIssue[] = [];
  const policies: ImagePolicy[] = [];
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length > MAX_DOCUMENTS) throw new PolicyParseError([{ path: '', message: `the file has ${nonEmpty.length} documents, at most ${MAX_DOCUMENTS} are accepted` }]);

  nonEmpty.forEach((doc, index) => {
    const prefix: PropertyKey[] = [];
    const docLabel = nonEmpty.length > 1 ? `document ${index + 1}` : '';
    const at = (offset: number): Located => {
      const p = lc.linePos(offset);
      return { line: p.line, column: p.col };
    };
    if (doc.errors.length) {
      const seen = new Set<string>();
      for (const e of doc.errors) {
        const message = /call stack/i.test(e.message) ? 'the document nests too deeply' : `YAML syntax error: ${firstLine(e.message)}`;
        const issue = { ...at(e.pos[0]), path: docLabel, message };
        const key = `${issue.line}:${message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        issues.push(issue);
        if (seen.size >= 5) break;
      }
      return;
    }
    // No aliases at all: a policy has no use for them, and they are how YAML bombs explode.
    let alias: YamlNode | undefined;
    visit(doc, {
      Alias(_key, node) {
        alias = node;
        return visit.BREAK;
      },
    });
    if (alias && isAlias(alias)) {
      issues.push({ ...at(alias.range?.[0] ?? 0), path: docLabel, message: `YAML aliases (*${alias.source}) are not accepted in policies; write the value out` });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 0 });
    } catch (e) {
      issues.push({ ...at(doc.contents?.range?.[0] ?? 0), path: docLabel, message: `YAML could not be read: ${(e as Error).message}` });
      return;
    }
    const where = (path: ReadonlyArray<PropertyKey>) => locate(doc.contents as YamlNode | null, lc, path, doc.range[0]);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      issues.push({ ...where([]), path: docLabel, message: `expected a ClusterImagePolicy mapping, got ${describeValue(value)}` });
      return;
    }
    const parsed = DocumentInput.safeParse(value, { error: errorMap });
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, where, prefix));
      return;
    }
    const policy = normalize(parsed.data);
    // The signer policies the verifier will run must compile (regexps, keys, claims together).
    policy.authorities.forEach((a, i) => {
      try {
        for (const input of signerPoliciesFor(policy, a)) compilePolicy(input.policy);
      } catch (e) {
        const path = ['spec', 'authorities', i];
        issues.push({ ...where(path), path: formatPath(path), message: (e as Error).message });
      }
    });
    const dup = policies.findIndex((p) => p.name === policy.name);
    if (dup !== -1) {
      const path = ['metadata', 'name'];
      issues.push({ ...where(path), path: formatPath(path), message: `duplicate policy name "${policy.name}" (also document ${dup + 1})` });
    }
    policies.push(policy);
  });

  if (issues.length) throw new PolicyParseError(issues.slice(0, MAX_ISSUES));
  if (policies.length === 0) throw new PolicyParseError([{ line: 1, path: '', message: 'the file has no policy document' }]);
  return ParsedPolicySchema.parse({ policies });
}

// ---------------------------------------------------------------------------
// Export

function attestationYaml(a: PolicyAttestation): Record<string, unknown> {
  return defined({ name: a.name, predicateType: a.predicateType, builderId: a.builderId, sourceRepository: a.sourceRepository });
}

/** One ClusterImagePolicy document per policy, `---` between them; parses back to the same ParsedPolicy. */
export function toYaml(parsed: ParsedPolicy): string {
  return parsed.policies
    .map((p) => {
      const doc = {
        apiVersion: 'policy.sigstore.dev/v1beta1',
        kind: 'ClusterImagePolicy',
        metadata: defined({ name: p.name, labels: p.labels, annotations: p.annotations }),
        spec: defined({
          mode: p.mode,
          images: p.images.map((i) => ({ glob: i.glob })),
          authorities: p.authorities.map((a) =>
            defined({
              name: a.name,
              keyless: a.keyless ? defined({ url: a.keyless.url, trustRootRef: a.keyless.trustRootRef, identities: a.keyless.identities.map((i) => defined({ ...i })) }) : undefined,
              key: a.key ? defined({ data: a.key.data, hashAlgorithm: a.key.hashAlgorithm }) : undefined,
              ctlog: a.ctlog,
              insecureIgnoreTlog: a.insecureIgnoreTlog,
              attestations: a.attestations.length ? a.attestations.map(attestationYaml) : undefined,
            }),
          ),
          attestations: p.attestations.length ? p.attestations.map(attestationYaml) : undefined,
        }),
      };
      return new Document(doc).toString({ lineWidth: 0 });
    })
    .join('---\n');
}
