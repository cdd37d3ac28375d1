import { describe, expect, it } from 'vitest';
import { generateOneTimePassword, hashPassword, passwordProblem, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse 1');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse 1', hash)).toBe(true);
    expect(await verifyPassword('correct horse 2', hash)).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('same-password-1')).not.toBe(await hashPassword('same-password-1'));
  });

  it('treats malformed stored hashes as a mismatch', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$aa$bb')).toBe(false);
  });

  it('explains weak passwords and accepts generated one-time passwords', () => {
    expect(passwordProblem('short1')).toMatch(/at least 12/);
    expect(passwordProblem('onlylettersssss')).toMatch(/mix/);
    expect(passwordProblem(generateOneTimePassword())).toBeNull();
  });
});
