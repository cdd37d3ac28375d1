import type { Duplex } from 'node:stream';
import { MAX_FRAME } from '../../../../protocol/src/ssh-messages.js';
import { closeReason, onClientProtocolError } from '../ws-bounds.js';
import { BackPressuredSender, WS_OPEN as OPEN, wsMessageBuffer as toBuffer, type GatewayWebSocket, type RelayStats } from '../ws-socket.js';
import { ClientEndWatch } from './client-end-watch.js';
import { rdpErrors, type RdpRelayError } from './errors.js';
import { asRequest, decodeRdCleanPath, errorPdu, rdCleanPathFrameLength, RDCLEANPATH_LIMITS, type RdCleanPathRequest } from './rdcleanpath.js';

/** Above this many bytes queued toward the browser the VM socket is paused; resumed below LOW_WATER. */
export const RDP_HIGH_WATER = 1024 * 1024;
export const RDP_LOW_WATER = 256 * 1024;
/** How long the browser has to send its RDCleanPath request after the upgrade. */
export const RDP_REQUEST_TIMEOUT_MS = 10_000;

export type RdpEndReason = 'client_closed' | 'remote_closed' | 'protocol_error' | 'server_shutdown' | 'terminated' | 'idle_timeout' | 'max_duration';

/**
 * The browser side of one RDCleanPath connection. It listens from the moment the WebSocket opens (bytes
 * can arrive before anything is awaited), first assembles the request PDU from binary messages (capped,
 * timed), then, once `relay` is called, becomes the plaintext pipe to the VM's TLS stream.
 */
export class RdpClientStream {
  private mode: 'request' | 'waiting' | 'relay' | 'closed' = 'request';
  private buf = Buffer.alloc(0);
  private waiter: { resolve: (r: RdCleanPathRequest) => void; reject: (e: RdpRelayError) => void } | undefined;
  private failure: RdpRelayError | undefined;
  private target: Duplex | undefined;
  private onEnd: ((reason: RdpEndReason) => void) | undefined;
  readonly stats: RelayStats = { bytesIn: 0, bytesOut: 0, maxBufferedAmount: 0 };
  private readonly sender: BackPressuredSender;
  /** Whether the client asked to end (the user's Disconnect) before the VM closed: then the end is the client's. */
  private readonly endWatch = new ClientEndWatch();
  /** Sees the plaintext both ways once relaying (the session capture, design 0006). */
  tap: { fromClient(chunk: Uint8Array): void; fromServer(chunk: Uint8Array): void } | undefined;
  clientGone = false;

  constructor(private readonly ws: GatewayWebSocket) {
    this.sender = new BackPressuredSender(ws, this.stats, { high: RDP_HIGH_WATER, low: RDP_LOW_WATER });
    ws.on('message', (raw, isBinary) => this.onMessage(toBuffer(raw), isBinary));
    ws.on('close', () => {
      this.clientGone = true;
      this.fail(rdpErrors.badRequest('the client closed the connection before its request'));
      this.end('client_closed');
    });
    ws.on('error', () => undefined);
    // A WebSocket protocol error (oversized frame…): before the relay, a bad request; during it, its own
    // close code with the reason and `protocol_error` in the record rather than the client having left.
    onClientProtocolError(ws, MAX_FRAME, (err) => {
      if (this.mode !== 'relay') return this.fail(rdpErrors.badRequest(err.message));
      if (this.ws.readyState === OPEN) this.ws.close(err.closeCode, closeReason(err.message));
      this.end('protocol_error');
    });
  }

  /** Resolves with the request, or rejects with a bad-request RdpRelayError (malformed, over-size, timeout). */
  readRequest(timeoutMs: number = RDP_REQUEST_TIMEOUT_MS): Promise<RdCleanPathRequest> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const timer = setTimeout(() => this.fail(rdpErrors.badRequest(`no complete request within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      timer.unref();
      this.waiter = {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.tryParse();
    });
  }

  /** Sends an RDCleanPath error PDU (negotiation failures with the VM's confirm) and closes. */
  refuse(err: RdpRelayError): void {
    this.mode = 'closed';
    if (this.ws.readyState === OPEN) {
      this.ws.send(errorPdu(err.pdu, err.x224));
      this.ws.close(1000);
    }
  }

  /** Sends the success response, then relays: browser ↔ `target` (the VM's TLS plaintext), with back-pressure. */
  relay(response: Uint8Array, target: Duplex, onEnd: (reason: RdpEndReason) => void): void {
    this.target = target;
    this.onEnd = onEnd;
    if (this.clientGone) return this.end('client_closed');
    this.mode = 'relay';
    this.ws.send(response);
    target.on('data', (chunk: Buffer) => this.toBrowser(chunk));
    target.on('end', () => this.end('remote_closed'));
    target.on('close', () => this.end('remote_closed'));
    target.on('error', () => this.end('remote_closed'));
    target.on('drain', () => {
      if (this.mode === 'relay') this.ws.resume();
    });
  }

  /**
   * Ends the relay from our side: a server shutdown (1001), or an administrator's disconnect or a limit
   * (1000 with `message` as the close reason: RDP itself has no channel of ours to tell the user).
   */
  shutdown(reason: 'server_shutdown' | 'terminated' | 'idle_timeout' | 'max_duration' = 'server_shutdown', message = 'The bastion is shutting down.'): void {
    // A close reason is at most 123 bytes (RFC 6455 §5.5): keep it short and ASCII-safe.
    if (this.ws.readyState === OPEN) this.ws.close(reason === 'server_shutdown' ? 1001 : 1000, message.slice(0, 120));
    this.end(reason);
  }

  private toBrowser(chunk: Buffer): void {
    if (this.mode !== 'relay' || this.ws.readyState !== OPEN) return;
    this.tap?.fromServer(chunk);
    this.sender.send(chunk, this.target!, () => this.mode === 'relay');
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.mode === 'closed') return;
    if (!isBinary) {
      if (this.mode === 'relay') return this.protocolError();
      return this.fail(rdpErrors.badRequest('text WebSocket messages are not part of RDCleanPath'));
    }
    if (this.mode === 'relay') {
      this.stats.bytesIn += data.length;
      this.tap?.fromClient(data);
      this.endWatch.feed(data);
      if (!this.target!.write(data)) this.ws.pause(); // resumed on the target's 'drain'
      return;
    }
    if (this.mode === 'waiting') {
      // The client must wait for the answer; the handler sees clientGone and abandons the connection.
      this.clientGone = true;
      return this.refuse(rdpErrors.badRequest('data arrived before the relay answered the request'));
    }
    this.buf = Buffer.concat([this.buf, data]);
    this.tryParse();
  }

  private tryParse(): void {
    if (this.mode !== 'request' || this.buf.length === 0) return;
    const framed = rdCleanPathFrameLength(this.buf, RDCLEANPATH_LIMITS.REQUEST);
    if (!framed.ok) return this.fail(rdpErrors.badRequest(framed.error));
    if (framed.value === 'incomplete') {
      if (this.buf.length > RDCLEANPATH_LIMITS.REQUEST) this.fail(rdpErrors.badRequest('request too large'));
      return;
    }
    if (framed.value !== this.buf.length) return this.fail(rdpErrors.badRequest('data after the request PDU'));
    if (!this.waiter) return; // parsed once someone asks
    const decoded = decodeRdCleanPath(this.buf, RDCLEANPATH_LIMITS.REQUEST);
    const request = decoded.ok ? asRequest(decoded.value) : decoded;
    if (!request.ok) return this.fail(rdpErrors.badRequest(request.error));
    this.mode = 'waiting';
    this.buf = Buffer.alloc(0);
    this.waiter.resolve(request.value);
    this.waiter = undefined;
  }

  private fail(err: RdpRelayError): void {
    if (this.mode !== 'request' && this.mode !== 'waiting') return;
    if (this.failure) return;
    this.failure = err;
    this.waiter?.reject(err);
    this.waiter = undefined;
  }

  private protocolError(): void {
    if (this.ws.readyState === OPEN) this.ws.close(1003, 'RDP data must be binary.');
    this.end('protocol_error');
  }

  private end(reason: RdpEndReason): void {
    if (this.mode === 'closed' && !this.onEnd) return;
    // The VM closing after the client asked it to is the client's end (a graceful Disconnect), not the VM's.
    if (reason === 'remote_closed' && this.endWatch.askedToEnd) reason = 'client_closed';
    const wasRelaying = this.mode === 'relay';
    this.mode = 'closed';
    const onEnd = this.onEnd;
    this.onEnd = undefined;
    if (this.target) this.target.destroy();
    if (wasRelaying && this.ws.readyState === OPEN) this.ws.close(1000);
    onEnd?.(reason);
  }
}
