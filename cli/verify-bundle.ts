/**
 * `sigscope verify-bundle`: one Sigstore bundle against one artifact, the shape of the
 * sigstore-conformance client entry point:
 *
 *   sigscope verify-bundle [--staging] --bundle FILE
 *     (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM)
 *     [--trusted-root FILE] FILE_OR_DIGEST
 *
 * The artifact is a path, or `sha256:<64 hex>` when no such file exists. Exit 0 verified,
 * 1 not verified, 2 bad usage or input (unreadable files, bad policy, bad trusted root).
 * Nothing is recorded in the database and nothing is fetched: the trusted root is a file,
 * the shipped public-good root, or the shipped staging root (--staging).
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync, type Stats } from 'node:fs';
import { Option, type Command } from 'commander';
import { isSigscopeError, type SigscopeErrorCode } from '../lib/errors';
import { compilePolicy, parsePublicKey, type CompiledPolicy } from '../lib/verify/policy';
import type { SignatureVerdict } from '../lib/verify/result';
import { loadTrustRoot, PUBLIC_GOOD, STAGING, type LoadedTrustRoot } from '../lib/verify/trust-root';
import { verifySigstoreBundle, type BundleArtifact } from '../lib/verify/verify-bundle';

const EXIT = { verified: 0, notVerified: 1, usage: 2 } as const;
const MiB = 1024 * 1024;
/** Bundles above this are refused before reading (the verifier has the same limit). */
export const MAX_BUNDLE_FILE = 16 * MiB;
/** Artifacts up to this size are passed as bytes; larger ones as their sha256 only. */
export const MAX_ARTIFACT_BYTES_IN_MEMORY = 64 * MiB;
/** Artifacts above this are refused (hashing them would take unbounded time). */
export const MAX_ARTIFACT_FILE = 512 * MiB;
const MAX_KEY_FILE = 64 * 1024;
const DIGEST_ARG = /^sha256:[0-9a-fA-F]{64}$/;
const INPUT_ERRORS = new Set<SigscopeErrorCode>(['INVALID_INPUT', 'INVALID_POLICY', 'INVALID_TRUSTED_ROOT']);
const IDENTITY_FLAGS = ['certificateIdentity', 'certificateIdentityRegexp', 'certificateOidcIssuer', 'certificateOidcIssuerRegexp'];

/** Bad usage or input: reported on stderr, exit 2. */
class UsageError extends Error {}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function statOrUsage(file: string, what: string): Stats {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new UsageError(`${what} ${file} is not a regular file`);
  return st;
}

/** A small file read whole, refused above `limit` bytes (checked before and after reading). */
function readSmallFile(file: string, what: string, limit: number): Buffer {
  const st = statOrUsage(file, what);
  if (st.size > limit) throw new UsageError(`${what} ${file} is ${st.size} bytes, above the ${limit >= MiB ? `${limit / MiB} MiB` : `${limit / 1024} KiB`} limit`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  if (bytes.length > limit) throw new UsageError(`${what} ${file} grew above the limit while being read`);
  return bytes;
}

/**
 * The artifact argument: an existing file (its bytes when small, else its streamed
 * sha256), or a `sha256:<hex>` digest when no such file exists.
 */
async function resolveArtifact(arg: string): Promise<{ artifact: BundleArtifact; label: string }> {
  let st: Stats | undefined;
  try {
    st = statSync(arg);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`cannot read artifact ${arg}: ${(e as Error).message}`);
  }
  if (!st) {
    if (DIGEST_ARG.test(arg)) return { artifact: { digest: arg.toLowerCase() }, label: arg.toLowerCase() };
    throw new UsageError(`artifact ${JSON.stringify(arg)}: no such file and not a sha256 digest (sha256:<64 hex digits>)`);
  }
  if (!st.isFile()) throw new UsageError(`artifact ${arg} is not a regular file`);
  if (st.size > MAX_ARTIFACT_FILE) throw new UsageError(`artifact ${arg} is ${st.size} bytes, above the ${MAX_ARTIFACT_FILE / MiB} MiB limit`);

  // One bounded pass: hash everything, keep the bytes while they stay small.
  const hash = createHash('sha256');
  let chunks: Buffer[] | undefined = [];
  let total = 0;
  try {
    for await (const chunk of createReadStream(arg) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_ARTIFACT_FILE) throw new UsageError(`artifact ${arg} grew above the ${MAX_ARTIFACT_FILE / MiB} MiB limit while being read`);
      hash.update(chunk);
      if (chunks && total <= MAX_ARTIFACT_BYTES_IN_MEMORY) chunks.push(chunk);
      else chunks = undefined;
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read artifact ${arg}: ${(e as Error).message}`);
  }
  if (chunks) return { artifact: { bytes: Buffer.concat(chunks, total) }, label: arg };
  return { artifact: { digest: `sha256:${hash.digest('hex')}` }, label: arg };
}

function compile(o: Record<string, unknown>): CompiledPolicy {
  const keyFiles = (o.key as string[] | undefined) ?? [];
  const hasIdentity = IDENTITY_FLAGS.some((f) => typeof o[f] === 'string');
  if (keyFiles.length === 0 && !hasIdentity) {
    throw new UsageError('give the expected signer: --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp], or --key FILE');
  }
  const keys = keyFiles.map((file) => {
    const pem = readSmallFile(file, 'key file', MAX_KEY_FILE).toString('utf8');
    try {
      parsePublicKey(pem); // here only to name the file in the message; compilePolicy parses it again
    } catch (e) {
      throw new UsageError(`key file ${file}: ${(e as Error).message}`);
    }
    return pem;
  });
  return compilePolicy({
    ...(typeof o.certificateIdentity === 'string' ? { identity: o.certificateIdentity } : {}),
    ...(typeof o.certificateIdentityRegexp === 'string' ? { identityRegExp: o.certificateIdentityRegexp } : {}),
    ...(typeof o.certificateOidcIssuer === 'string' ? { issuer: o.certificateOidcIssuer } : {}),
    ...(typeof o.certificateOidcIssuerRegexp === 'string' ? { issuerRegExp: o.certificateOidcIssuerRegexp } : {}),
    ...(keys.length ? { keys } : {}),
  });
}

function trustRoot(o: Record<string, unknown>): LoadedTrustRoot {
  if (typeof o.trustedRoot === 'string') return loadTrustRoot(o.trustedRoot);
  return loadTrustRoot(o.staging ? STAGING : PUBLIC_GOOD);
}

const LABEL: Record<SignatureVerdict['verdict'], string> = { verified: 'VERIFIED', 'signed-unchecked': 'SIGNED, SIGNER NOT CHECKED', failed: 'NOT VERIFIED' };

/** One line: verdict, artifact, then the signer (verified) or the reason (otherwise). */
export function formatVerdictLine(v: SignatureVerdict, artifact: string, root: string): string {
  const s = v.signer;
  const who = s.identity ? `${s.identity}${s.issuer ? ` (${s.issuer})` : ''}` : s.keyFingerprint ? `key sha256:${s.keyFingerprint.slice(0, 16)}…` : s.kind;
  const tail = v.verdict === 'verified' ? `signed by ${who}, trusted root ${root}` : `${v.reasonCode ? `[${v.reasonCode}] ` : ''}${v.reason ?? 'no reason given'}`;
  const line = `${LABEL[v.verdict]}  ${artifact}: ${tail}`;
  // Identities and reasons come from the bundle: no control characters (newlines included) reach the terminal.
  return `${line.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

export function registerVerifyBundle(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('verify-bundle')
    .description('verify a Sigstore bundle for an artifact (file or sha256 digest), offline; nothing is recorded')
    .argument('<file-or-digest>', 'the signed artifact: a file path, or sha256:<64 hex> when no such file exists')
    .requiredOption('--bundle <file>', 'the Sigstore bundle (JSON, v0.1–v0.3)')
    .addOption(new Option('--key <file>', 'PEM public key the bundle must be signed with (repeatable)').argParser(collect).conflicts(IDENTITY_FLAGS))
    .option('--certificate-identity <id>', 'exact certificate identity (SAN) expected')
    .option('--certificate-identity-regexp <re>', 'regexp the whole certificate identity must match')
    .option('--certificate-oidc-issuer <url>', 'exact OIDC issuer expected')
    .option('--certificate-oidc-issuer-regexp <re>', 'regexp the whole OIDC issuer must match')
    .addOption(new Option('--trusted-root <file>', 'trusted_root.json of the Sigstore instance (default: public-good, shipped)').conflicts('staging'))
    .option('--staging', 'use the Sigstore staging trusted root (shipped copy) instead of public-good')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (artifactArg: string, o: Record<string, unknown>) => {
      try {
        const bundle = readSmallFile(o.bundle as string, 'bundle file', MAX_BUNDLE_FILE);
        const policy = compile(o);
        const root = trustRoot(o);
        const { artifact, label } = await resolveArtifact(artifactArg);
        const verdict = verifySigstoreBundle(bundle, artifact, { policy, trust: root.material });
        process.stdout.write(o.output === 'json' ? `${JSON.stringify(verdict, null, 2)}\n` : formatVerdictLine(verdict, label, root.name));
        setExit(verdict.verdict === 'verified' ? EXIT.verified : EXIT.notVerified);
      } catch (e) {
        // Usage/input problems (unreadable files, a bad policy or trusted root) are exit 2.
        if (e instanceof UsageError || (isSigscopeError(e) && INPUT_ERRORS.has(e.code))) {
          process.stderr.write(`sigscope verify-bundle: ${e.message}\n`);
          setExit(EXIT.usage);
          return;
        }
        throw e;
      }
    });
}
