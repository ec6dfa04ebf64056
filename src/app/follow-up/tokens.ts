import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to people (survey links, session cookies) are 256 random bits; only their
 * SHA-256 digest is stored, so a copy of the database cannot be used to open a survey.
 */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A token as we issue it: 43 base64url characters. Anything else is refused unread. */
export function looksLikeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
