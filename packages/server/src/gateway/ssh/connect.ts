import { Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, ParsedKey } from 'ssh2';
import { classifyClientError, classifyKeyError, SshError, sshErrors } from './errors.js';
import { sshFingerprintSha256, sshKeyType } from './fingerprint.js';
import type { FlowControlOptions } from './flow-control.js';
import { SshShellSession, type SshHostKeyInfo, type SshSession } from './session.js';

export type SshAuth = { type: 'password'; password: string } | { type: 'privateKey'; privateKey: string; passphrase?: string };

/**
 * Decides whether to trust the VM's host key. Resolve true to go on, false to refuse (host_key_rejected),
 * or reject with an SshError (e.g. host_key_changed from HostKeyTrust.verifier) to refuse with that error.
 */
export type VerifyHostKey = (fingerprintSha256: string, keyType: string) => Promise<boolean>;

export interface OpenSshSessionOptions extends FlowControlOptions {
  host: string;
  port?: number;
  username: string;
  auth: SshAuth;
  verifyHostKey: VerifyHostKey;
  /** TCP connect + SSH handshake + authentication must finish within this. Default 10 s. */
  readyTimeout?: number;
  /**
   * Keepalive probe interval. Default 4 s, so a frozen VM is noticed within seconds (`unresponsiveAfterMs`);
   * the session fails only after `keepaliveCountMax` (default 14) unanswered: after a minute, as before.
   */
  keepaliveInterval?: number;
  keepaliveCountMax?: number;
  /** Nothing from the VM for this long → the session reports it not responding. Default interval + 2 s. */
  unresponsiveAfterMs?: number;
  cols?: number;
  rows?: number;
  term?: string;
  /**
   * Aborts the connect (the browser left meanwhile): the TCP connection is dropped at once, so an abandoned
   * ticket does not go on to authenticate on the VM (issue 13). Rejects with `closed`.
   */
  signal?: AbortSignal;
}

export const DEFAULT_READY_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 4_000;
/** ssh2 gives up after (count + 1) intervals without an answer: 15 × 4 s = 60 s. */
export const DEFAULT_KEEPALIVE_COUNT_MAX = 14;
/** The time a VM gets to answer a keepalive before it counts as not responding (a slow WAN's round trip). */
const KEEPALIVE_ANSWER_MS = 2_000;

/** Parses the private key up front, so a wrong passphrase is reported as such before any network traffic. */
function checkPrivateKey(privateKey: string, passphrase: string | undefined): void {
  let parsed: ParsedKey | ParsedKey[] | Error;
  try {
    parsed = ssh2.utils.parseKey(privateKey, passphrase);
  } catch (err) {
    throw classifyKeyError(err as Error);
  }
  if (parsed instanceof Error) throw classifyKeyError(parsed);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key.isPrivateKey?.() === false) throw sshErrors.badKey();
}

/**
 * The TCP connection to the VM, dialled here rather than by ssh2 so that TCP_NODELAY is on: ssh2 never sets
 * it, and without its native crypto binding it writes every SSH packet as three writes (length, payload,
 * MAC/tag), of which Nagle's algorithm holds the second and third until the VM's delayed ACK — ~40 ms on
 * every keystroke (issue 20). The connect is started here; ssh2 waits for its 'connect', applies
 * `readyTimeout` from the start and reports socket errors exactly as when it dials itself, so the messages
 * (unreachable, refused, no route) are unchanged.
 */
export function dialVm(host: string, port: number): Socket {
  const sock = new Socket();
  sock.setNoDelay(true);
  return sock.connect({ host, port });
}

/**
 * Connects to `host:port` with ssh2, verifies the host key through `verifyHostKey`, authenticates and opens a
 * PTY shell. Resolves with the session, or rejects with an SshError (every resource released by then).
 */
export function openSshSession(opts: OpenSshSessionOptions): Promise<SshSession> {
  const host = opts.host;
  const port = opts.port ?? 22;
  const readyTimeoutMs = opts.readyTimeout ?? DEFAULT_READY_TIMEOUT_MS;

  let config: ConnectConfig;
  try {
    config = {
      host,
      port,
      username: opts.username,
      readyTimeout: readyTimeoutMs,
      keepaliveInterval: opts.keepaliveInterval ?? DEFAULT_KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: opts.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT_MAX,
      tryKeyboard: false,
    };
    if (opts.auth.type === 'password') config.password = opts.auth.password;
    else {
      const passphrase = opts.auth.passphrase === '' ? undefined : opts.auth.passphrase;
      checkPrivateKey(opts.auth.privateKey, passphrase);
      config.privateKey = opts.auth.privateKey;
      if (passphrase !== undefined) config.passphrase = passphrase;
    }
  } catch (err) {
    return Promise.reject(err instanceof SshError ? err : sshErrors.badKey(err));
  }

  const abandoned = (): SshError => new SshError('closed', `The connection to ${host}:${port} was abandoned by the client before it was made.`, { host, port });
  if (opts.signal?.aborted) return Promise.reject(abandoned());

  return new Promise<SshSession>((resolve, reject) => {
    const client = new ssh2.Client();
    let sock: Socket | undefined;
    let tcpConnected = false;
    let ready = false;
    let settled = false;
    let hostKey: SshHostKeyInfo | undefined;
    let hostKeyError: SshError | undefined;

    const onAbort = (): void => fail(abandoned());
    const fail = (error: SshError): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners();
      client.on('error', () => undefined); // late socket errors after destroy
      client.destroy();
      sock?.destroy(); // in case ssh2 threw before taking the socket over
      reject(error);
    };

    config.hostVerifier = (key: Buffer, verify: (valid: boolean) => void): void => {
      const info = { keyType: sshKeyType(key), fingerprint: sshFingerprintSha256(key) };
      hostKey = info;
      opts.verifyHostKey(info.fingerprint, info.keyType).then(
        (ok) => {
          if (!ok) hostKeyError = sshErrors.hostKeyRejected(info.fingerprint, info.keyType);
          verify(ok);
        },
        (err: unknown) => {
          hostKeyError = err instanceof SshError ? err : sshErrors.hostKeyRejected(info.fingerprint, info.keyType, err);
          verify(false);
        },
      );
    };

    client.on('connect', () => (tcpConnected = true));
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      fail(hostKeyError ?? classifyClientError(err, { host, port, readyTimeoutMs, tcpConnected, ready }));
    });
    client.on('close', () => fail(hostKeyError ?? sshErrors.closed(host, port)));
    client.on('ready', () => {
      ready = true;
      client.shell({ term: opts.term ?? 'xterm-256color', cols: opts.cols ?? 80, rows: opts.rows ?? 24, width: 0, height: 0 }, (err: Error | undefined, channel: ClientChannel) => {
        if (settled) {
          channel?.close();
          return;
        }
        if (err) return fail(sshErrors.shellFailed(err));
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        client.removeAllListeners('error');
        client.removeAllListeners('close');
        client.removeAllListeners('connect');
        client.removeAllListeners('ready');
        const unresponsiveAfterMs = opts.unresponsiveAfterMs ?? (opts.keepaliveInterval ?? DEFAULT_KEEPALIVE_INTERVAL_MS) + KEEPALIVE_ANSWER_MS;
        const liveness = sock ? { socket: sock, unresponsiveAfterMs } : undefined;
        resolve(new SshShellSession(client, channel, hostKey ?? { keyType: 'unknown', fingerprint: 'unknown' }, { host, port }, opts, liveness));
      });
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      sock = dialVm(host, port);
      client.connect({ ...config, sock });
    } catch (err) {
      fail(err instanceof SshError ? err : sshErrors.badKey(err));
    }
  });
}
