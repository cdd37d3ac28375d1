import { createHash } from 'node:crypto';

/** OpenSSH's fingerprint of a public key blob: "SHA256:" + unpadded base64 of SHA-256 (as `ssh-keygen -l`). */
export function sshFingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (RFC 4253 §6.6: string type, …), e.g. "ssh-ed25519". */
export function sshKeyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len <= 0 || len > 64 || keyBlob.length < 4 + len) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}
