import argon2 from 'argon2';

// argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): the OWASP-recommended baseline.
const options = { type: argon2.argon2id } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, options);

/** False on a wrong password and on a hash that is not a PHC string (an account that has no password). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification when the email is unknown, so response timing does
 * not reveal which emails have accounts. Always false.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hashPassword('forge-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}
