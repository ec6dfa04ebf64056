import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';
import { invalid } from '../../core/errors.ts';

/**
 * argon2id at the OWASP Password Storage Cheat Sheet's minimum (m = 19 MiB, t = 2, p = 1).
 * The parameters are written into each encoded hash, so raising them later keeps old
 * hashes verifiable. WebAssembly, not a native addon: nothing to compile or to crash.
 */
const PARAMETERS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), ...PARAMETERS, outputType: 'encoded' });
}

export async function verifyPassword(password: string, encodedHash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash: encodedHash });
  } catch {
    return false; // a malformed stored hash matches no password
  }
}

/**
 * NIST SP 800-63B §5.1.1.2: a new password is checked against a list of commonly used and
 * breached passwords. The list is zxcvbn-ts's common-passwords dictionary (about 49 000
 * entries drawn from breach corpora); loaded once, on the first password set.
 */
let commonPasswords: Promise<Set<string>> | undefined;
function loadCommonPasswords(): Promise<Set<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    (m) => new Set(m.dictionary['passwords-common'].map((p) => p.toLowerCase())),
  );
  return commonPasswords;
}

/** Refuses a password found on the common/breached list (compared without case). */
export async function assertUncommonPassword(password: string, field: string): Promise<void> {
  if ((await loadCommonPasswords()).has(password.toLowerCase())) {
    throw invalid('This password is on a list of common or breached passwords; choose another', [
      {
        field,
        message: 'On a list of common or breached passwords; choose a longer or less usual one',
      },
    ]);
  }
}
