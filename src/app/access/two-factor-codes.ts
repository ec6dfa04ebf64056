import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';

/**
 * Time-based one-time passwords (RFC 6238) as authenticator apps compute them: HMAC-SHA-1,
 * 6 digits, 30-second steps; one step either side is accepted for clocks that drift.
 */
const PERIOD_SECONDS = 30;

function totpFor(secretBase32: string, label = 'StemTrack'): TOTP {
  return new TOTP({
    issuer: 'StemTrack',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A new 160-bit secret, the size RFC 4226 §4 recommends, in base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// address an app reads from the QR code, and the QR code itself as SVG. */
export function enrolmentFor(secretBase32: string, account: string) {
  const uri = totpFor(secretBase32, account).toString();
  return { uri, qrSvg: renderSVG(uri) };
}

/** The time step the code belongs to, or null when it matches none near `now`. */
export function matchTotp(secretBase32: string, code: string, now: Date): number | null {
  const delta = totpFor(secretBase32).validate({
    token: code,
    timestamp: now.getTime(),
    window: 1,
  });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/** The code an app would show at `now` (tests, and nothing else, need this). */
export function totpAt(secretBase32: string, now: Date): string {
  return totpFor(secretBase32).generate({ timestamp: now.getTime() });
}

/** Ten one-time recovery codes of about 49 random bits each, written as xxxxx-xxxxx. */
export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i to misread
  return Array.from({ length: 10 }, () => {
    const bytes = randomBytes(10);
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Recovery codes are compared without case, spaces or hyphens, however they were typed. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}
