/**
 * Password hashing with scrypt from node:crypto (no native addon to build, no
 * download). The stored string carries its parameters and salt, PHC-like:
 *   scrypt$ln=15,r=8,p=1$<salt b64>$<hash b64>
 * so parameters can be raised later and old hashes still verify.
 * Comparison is constant-time; a malformed stored hash never verifies.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LEN = 32;
const SALT_LEN = 16;
/** N = 2^15, r = 8: ~32 MiB and some tens of ms per hash (OWASP's scrypt minimum is N=2^17 with r=8,p=1 at 128 MiB; 2^15 keeps a 2-core box responsive). */
export const DEFAULT_PARAMS = { ln: 15, r: 8, p: 1 } as const;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, params: { ln: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r * 2 };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFKC'), salt, KEY_LEN, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, params: { ln: number; r: number; p: number } = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await scrypt(password, salt, params);
  return `scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a tampered row from making us allocate gigabytes.
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.length !== KEY_LEN || password.length > MAX_PASSWORD_LENGTH) return false;
  const actual = await scrypt(password, salt, { ln, r, p });
  return timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying against it costs as much as a real one (no user-exists timing signal). */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

/** Why a new password is refused, or undefined. */
export function passwordProblem(password: string, username?: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (username && password.toLowerCase() === username.toLowerCase()) return 'the password must differ from the username';
  return undefined;
}
