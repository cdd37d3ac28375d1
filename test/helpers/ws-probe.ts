import { randomBytes } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { WsClient, WsCtor } from './ws-client.js';

/**
 * Hostile WebSocket clients for the fuzz suite (test/integration/ws-fuzz.test.ts): a `ws` client that
 * records everything the server does (refusal status, messages, close code), and a raw TLS socket that
 * performs the upgrade by hand and then writes frames no well-behaved library would send.
 */

/** What a WebSocket saw: the upgrade's refusal, messages, close code, client-side error. */
export class Probe {
  opened = false;
  refusedStatus: number | undefined;
  closeCode: number | undefined;
  error: Error | undefined;
  texts: string[] = [];
  binaries: Buffer[] = [];

  constructor(readonly ws: WsClient) {
    ws.on('open', () => (this.opened = true));
    ws.on('message', (data, isBinary) => (isBinary ? this.binaries.push(data) : this.texts.push(data.toString('utf8'))));
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', (err) => (this.error = err));
    ws.on('unexpected-response', (_req, res) => {
      this.refusedStatus = res.statusCode;
      this.closeCode = -1;
    });
  }

  /** Every probe made by `open`, for the caller to terminate between cases. */
  static readonly all: Probe[] = [];

  static open(ctor: WsCtor, url: string, headers: Record<string, string>): Probe {
    // maxPayload: the client must not be the one refusing what the server sends.
    const probe = new Probe(new ctor(url, { rejectUnauthorized: false, headers, maxPayload: 16 * 1024 * 1024 }));
    Probe.all.push(probe);
    return probe;
  }

  /** Resolves once the socket is open or finished (closed, refused, failed). */
  settled(): Promise<void> {
    return waitFor('the upgrade', () => this.opened || this.closeCode !== undefined || this.error !== undefined);
  }

  closed(): Promise<void> {
    return waitFor(`the close (texts ${JSON.stringify(this.texts).slice(0, 300)})`, () => this.closeCode !== undefined);
  }

  /** Sends when open; a send on a closing socket is part of the fuzz ("frames after close"), never an error here. */
  send(data: string | Uint8Array): void {
    try {
      if (this.ws.readyState === 1) this.ws.send(data);
    } catch {
      /* the socket closed between the check and the send */
    }
  }

  get json(): Array<Record<string, unknown>> {
    return this.texts.flatMap((t) => {
      try {
        return [JSON.parse(t) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}

/** Polls `done` every 10 ms; throws naming `what` after `timeoutMs` (a hang is a failure, not a timing check). */
export async function waitFor(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One WebSocket frame with full control over every bit (RFC 6455 §5.2). */
export function frame(opcode: number, payload: Buffer, opts: { fin?: boolean; rsv?: number; mask?: boolean; declaredLength?: bigint } = {}): Buffer {
  const fin = opts.fin ?? true;
  const mask = opts.mask ?? true;
  const length = opts.declaredLength ?? BigInt(payload.length);
  const head = [((fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opcode & 0x0f)) & 0xff];
  const lenBytes: number[] = [];
  if (length < 126n) head.push((mask ? 0x80 : 0) | Number(length));
  else if (length < 65536n) {
    head.push((mask ? 0x80 : 0) | 126);
    lenBytes.push(Number(length >> 8n) & 0xff, Number(length) & 0xff);
  } else {
    head.push((mask ? 0x80 : 0) | 127);
    for (let i = 7; i >= 0; i--) lenBytes.push(Number((length >> BigInt(i * 8)) & 0xffn));
  }
  if (!mask) return Buffer.concat([Buffer.from([...head, ...lenBytes]), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([Buffer.from([...head, ...lenBytes]), key, masked]);
}

/** A raw TLS connection that did the upgrade by hand: the status line, then everything the server sends. */
export interface RawSocket {
  socket: TLSSocket;
  status: number;
  /** Bytes received after the upgrade's answer. */
  received: () => Buffer;
  ended: () => boolean;
  /** The code in the first close frame the server sent (undefined: none, e.g. a bare TCP close). */
  closeCode: () => number | undefined;
}

export function rawUpgrade(base: string, path: string, headers: Record<string, string>): Promise<RawSocket> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false });
    let buf = Buffer.alloc(0);
    let head: number | undefined;
    let ended = false;
    socket.on('error', () => (ended = true));
    socket.on('close', () => {
      ended = true;
      if (head === undefined) reject(new Error(`connection closed before the upgrade answered: ${buf.toString('latin1').slice(0, 200)}`));
    });
    socket.once('secureConnect', () => {
      const lines = [`GET ${path} HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (head !== undefined) return;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = end + 4;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      resolve({ socket, status, received: () => buf.subarray(head), ended: () => ended, closeCode: () => closeCodeIn(buf.subarray(head)) });
    });
  });
}

/** The status code of the first close frame (opcode 8) in a server's byte stream (server frames are unmasked). */
export function closeCodeIn(bytes: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let len = bytes[at + 1]! & 0x7f;
    let off = at + 2;
    if (len === 126) {
      if (off + 2 > bytes.length) return undefined;
      len = bytes.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (off + 8 > bytes.length) return undefined;
      len = Number(bytes.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === 8) return len >= 2 && off + 2 <= bytes.length ? bytes.readUInt16BE(off) : 1005;
    at = off + len;
  }
  return undefined;
}
