import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { rdpErrors } from './errors.js';
import { MAX_X224_PDU, parseConnectionConfirm, preconnectionPdu, readTpkt } from './x224.js';

export interface RdpDialOptions {
  host: string;
  port: number;
  /** The client's X.224 Connection Request, forwarded unchanged. */
  x224Request: Uint8Array;
  preconnectionBlob?: string | undefined;
  connectTimeoutMs?: number;
  /** For each of the X.224 exchange and the TLS handshake. */
  handshakeTimeoutMs?: number;
}

export interface RdpServerConnection {
  tls: TLSSocket;
  /** The VM's Connection Confirm, forwarded unchanged to the client. */
  x224Confirm: Uint8Array;
  /** DER certificates, leaf first, as the VM presented them. */
  certChain: Uint8Array[];
  serverAddr: string;
}

export const RDP_CONNECT_TIMEOUT_MS = 10_000;
export const RDP_HANDSHAKE_TIMEOUT_MS = 10_000;

function tcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(rdpErrors.connect(host, port, Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }), timeoutMs));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // An idle RDP session sends nothing for minutes: keepalives find a VM that vanished.
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(rdpErrors.connect(host, port, err, timeoutMs));
    });
  });
}

/** Reads exactly one TPKT frame (the Connection Confirm), capped at MAX_X224_PDU, within `timeoutMs`. */
function readConfirm(socket: Socket, host: string, port: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err: Error | undefined, frame?: Uint8Array): void => {
      clearTimeout(timer);
      socket.off('data', onData).off('error', onError).off('close', onClose);
      socket.pause();
      if (err) reject(err);
      else resolve(frame!);
    };
    const timer = setTimeout(() => done(rdpErrors.timeout('The X.224 negotiation', host, port, timeoutMs)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const r = readTpkt(buf, MAX_X224_PDU);
      if (r.kind === 'incomplete') return;
      if (r.kind === 'invalid') return done(rdpErrors.x224(host, port, `answered with an invalid X.224 Connection Confirm (${r.error})`));
      // The server waits for our TLS ClientHello now: anything more would be a protocol violation.
      if (r.rest.length > 0) return done(rdpErrors.x224(host, port, 'sent data after the X.224 Connection Confirm'));
      done(undefined, r.frame);
    };
    const onError = (err: Error): void => done(rdpErrors.x224(host, port, `failed during X.224 (${(err as NodeJS.ErrnoException).code ?? err.message})`));
    const onClose = (): void => done(rdpErrors.x224(host, port, 'closed the connection during the X.224 negotiation'));
    socket.on('data', onData).on('error', onError).on('close', onClose);
    socket.resume();
  });
}

function tlsHandshake(socket: Socket, host: string, port: number, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // No CA check here on purpose: RDP servers use self-signed certificates. The caller pins the leaf
    // (certificate-trust.ts) before a single client byte is relayed.
    const tls = tlsConnect({ socket, rejectUnauthorized: false });
    const timer = setTimeout(() => {
      tls.destroy();
      reject(rdpErrors.timeout('The TLS handshake', host, port, timeoutMs));
    }, timeoutMs);
    tls.once('secureConnect', () => {
      clearTimeout(timer);
      tls.removeAllListeners('error');
      // Until the relay attaches its own handlers (after the pin check), an error must not crash the process.
      tls.on('error', () => undefined);
      resolve(tls);
    });
    tls.once('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      tls.destroy();
      reject(rdpErrors.tls(host, port, err));
    });
  });
}

/** The presented chain, leaf first, following issuer links (bounded; a self-signed root links to itself). */
export function peerChain(tls: TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let cert: DetailedPeerCertificate | undefined = tls.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert?.raw && chain.length < 16 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new Uint8Array(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * The relay's side of the RDCleanPath handshake with the VM: TCP → (preconnection PDU) → X.224 request →
 * one capped Connection Confirm → TLS. Every failure is an RdpRelayError naming the address and step.
 */
export async function dialRdpServer(opts: RdpDialOptions): Promise<RdpServerConnection> {
  const { host, port } = opts;
  const handshakeMs = opts.handshakeTimeoutMs ?? RDP_HANDSHAKE_TIMEOUT_MS;
  const socket = await tcp(host, port, opts.connectTimeoutMs ?? RDP_CONNECT_TIMEOUT_MS);
  try {
    socket.on('error', () => undefined); // reported through the readers below; never an unhandled 'error'
    if (opts.preconnectionBlob !== undefined) socket.write(preconnectionPdu(opts.preconnectionBlob));
    socket.write(opts.x224Request);
    const confirm = await readConfirm(socket, host, port, handshakeMs);
    const info = parseConnectionConfirm(confirm);
    if (info.kind === 'invalid') throw rdpErrors.x224(host, port, info.message);
    if (info.kind === 'refused') throw rdpErrors.negotiation(host, port, info.message, confirm);
    const tls = await tlsHandshake(socket, host, port, handshakeMs);
    const certChain = peerChain(tls);
    if (certChain.length === 0) {
      tls.destroy();
      throw rdpErrors.x224(host, port, 'presented no TLS certificate');
    }
    return { tls, x224Confirm: confirm, certChain, serverAddr: `${host}:${port}` };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
