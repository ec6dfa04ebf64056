import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

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
