/** SSH gateway core (transport-agnostic): open a PTY shell on a VM with flow control, pin host keys. */
export { openSshSession, DEFAULT_KEEPALIVE_INTERVAL_MS, DEFAULT_READY_TIMEOUT_MS, type OpenSshSessionOptions, type SshAuth, type VerifyHostKey } from './connect.js';
export { SshError, sshErrors, formatSeconds, type SshErrorCode, type SshErrorDetails } from './errors.js';
export { sshFingerprintSha256, sshKeyType } from './fingerprint.js';
export { AckWindow, DEFAULT_HIGH_WATER_MARK, DEFAULT_LOW_WATER_MARK, type FlowControlOptions } from './flow-control.js';
export { HostKeyTrust, type HostKeyCheck, type PinnedHostKey, type SshHostKeyTables, type SshHostKeysTable } from './host-key-trust.js';
export type { SshEndReason, SshHostKeyInfo, SshSession } from './session.js';
