import type { Duplex } from 'node:stream';
import { MAX_FRAME } from '../../../../protocol/src/ssh-messages.js';
import { closeReason, onClientProtocolError } from '../ws-bounds.js';
import { BackPressuredSender, WS_OPEN as OPEN, wsMessageBuffer as toBuffer, type GatewayWebSocket, type RelayStats } from '../ws-socket.js';

/** VM → client: above this many bytes queued in the WebSocket the VM socket is paused; resumed below LOW. */
export const TUNNEL_HIGH_WATER = 1024 * 1024;
export const TUNNEL_LOW_WATER = 256 * 1024;
/** Client bytes held while the VM is being dialled (a client may speak first: SSH's banner). */
const MAX_PENDING = 256 * 1024;

export type TunnelEndReason = 'client_closed' | 'remote_closed' | 'protocol_error' | 'server_shutdown' | 'terminated' | 'idle_timeout' | 'max_duration';

/** WebSocket close codes the CLI reads (4000+ is the application range). */
export const TUNNEL_CLOSE = { NORMAL: 1000, GOING_AWAY: 1001, PROTOCOL_ERROR: 1002, UNSUPPORTED: 1003, TERMINATED: 4001, DIAL_FAILED: 4002 } as const;

/**
 * Raw TCP bytes as binary WebSocket messages, both ways, with back-pressure (design 0007): VM → client
 * stops reading the VM while the WebSocket's send buffer is above HIGH_WATER (the backlog waits in TCP
 * windows, not in our memory); client → VM stops reading the WebSocket while the VM socket's write buffer
 * is full. It listens from the moment the WebSocket opens and holds what arrives before `attach`.
 */
export class TunnelRelay {
  readonly stats: RelayStats = { bytesIn: 0, bytesOut: 0, maxBufferedAmount: 0 };
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private target: Duplex | undefined;
  private ended: TunnelEndReason | undefined;
  private onEnd: ((reason: TunnelEndReason, stats: RelayStats) => void) | undefined;
  private readonly sender: BackPressuredSender;
  clientGone = false;

  constructor(private readonly ws: GatewayWebSocket) {
    this.sender = new BackPressuredSender(ws, this.stats, { high: TUNNEL_HIGH_WATER, low: TUNNEL_LOW_WATER });
    ws.on('message', (raw, isBinary) => this.fromClient(toBuffer(raw), isBinary));
    ws.on('close', () => {
      this.clientGone = true;
      this.end('client_closed');
    });
    ws.on('error', () => undefined);
    // An oversized frame (over the app's maxPayload) or another WebSocket protocol error: its own close
    // code with the reason, and `protocol_error` in the record rather than the client having left.
    onClientProtocolError(ws, MAX_FRAME, (err) => {
      if (this.ws.readyState === OPEN) this.ws.close(err.closeCode, closeReason(err.message));
      this.end('protocol_error', err.message);
    });
  }

  /** Starts relaying to the dialled VM socket; `onEnd` is called once, however the tunnel ends. */
  attach(target: Duplex, onEnd: (reason: TunnelEndReason, stats: RelayStats) => void): void {
    this.target = target;
    this.onEnd = onEnd;
    if (this.ended) return this.finish();
    for (const chunk of this.pending) this.write(chunk);
    this.pending = [];
    this.pendingBytes = 0;
    this.ws.resume();
    target.on('data', (chunk: Buffer) => this.toClient(chunk));
    target.on('drain', () => this.ws.resume());
    target.on('end', () => this.end('remote_closed'));
    target.on('close', () => this.end('remote_closed'));
    target.on('error', () => this.end('remote_closed'));
  }

  /** Ends the tunnel (idempotent): closes the WebSocket with a code the CLI understands and the VM socket. */
  end(reason: TunnelEndReason, message?: string): void {
    if (this.ended) return;
    this.ended = reason;
    if (this.ws.readyState === OPEN) {
      const code =
        reason === 'protocol_error' ? TUNNEL_CLOSE.UNSUPPORTED : reason === 'server_shutdown' ? TUNNEL_CLOSE.GOING_AWAY : reason === 'remote_closed' || reason === 'client_closed' ? TUNNEL_CLOSE.NORMAL : TUNNEL_CLOSE.TERMINATED;
      // Close reasons are capped at 123 bytes by the WebSocket protocol.
      this.ws.close(code, (message ?? reason).slice(0, 120));
    }
    this.finish();
  }

  private finish(): void {
    if (!this.target || !this.onEnd) return;
    const onEnd = this.onEnd;
    this.onEnd = undefined;
    this.target.destroy();
    onEnd(this.ended!, { ...this.stats });
  }

  private fromClient(chunk: Buffer, isBinary: boolean): void {
    if (this.ended) return;
    // Text frames have no meaning here: a client sending one is not a tunnel client.
    if (!isBinary) return this.end('protocol_error', 'Only binary messages are accepted.');
    if (!this.target) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes > MAX_PENDING) this.ws.pause();
      return;
    }
    this.write(chunk);
  }

  private write(chunk: Buffer): void {
    this.stats.bytesIn += chunk.length;
    if (!this.target!.write(chunk)) this.ws.pause();
  }

  private toClient(chunk: Buffer): void {
    if (this.ended || this.ws.readyState !== OPEN) return;
    this.sender.send(chunk, this.target!, () => !this.ended);
  }
}
