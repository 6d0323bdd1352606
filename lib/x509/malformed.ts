import { SigscopeError } from '../errors';

/** Every failure in lib/x509 surfaces as this one code, with a message a person can act on. */
export function malformed(message: string, cause?: unknown, details?: Record<string, unknown>): SigscopeError {
  return new SigscopeError('CERTIFICATE_MALFORMED', message, { cause, details });
}
