import { createReadStream } from 'node:fs';
import { LIVE_WATCH_ENDED } from '../../../protocol/src/recordings.js';
import type { AsciicastWriter } from './asciicast-writer.js';

/** The part of a `ws` WebSocket a watcher uses. */
export interface WatchSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'close', cb: () => void): unknown;
  on(event: 'message', cb: () => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
}

const OPEN = 1;
/** A watcher whose socket holds more than this is too slow: it is closed rather than buffered for. */
export const WATCH_MAX_BUFFERED = 4 * 1024 * 1024;
const READ_CHUNK = 64 * 1024;
const TOO_SLOW = { code: 1013, reason: 'The watcher fell behind the session.' } as const;

const waitDrained = async (ws: WatchSocket, below: number): Promise<void> => {
  while (ws.readyState === OPEN && ws.bufferedAmount > below) await new Promise((r) => setTimeout(r, 20));
};

/**
 * Streams a cast to a read-only watcher: text frames of whole asciicast lines (the header first). A live
 * session is joined mid-way: the part already on disk is read from the file in 64 KiB steps (memory does
 * not grow with the session's length), then what is queued for the disk, then every new line as it is
 * written; the socket closes with 1000 "The session ended." when the session ends. For a session that has
 * ended the file is sent and the socket closed. Frames from the watcher are ignored: nothing reaches the VM.
 */
export async function streamCast(ws: WatchSocket, path: string, cast: AsciicastWriter | undefined): Promise<void> {
  let closed = false;
  let caughtUp = false;
  let ended = cast === undefined;
  let queued: string[] = [];
  let queuedBytes = 0;
  const finish = (): void => {
    if (ws.readyState === OPEN) ws.close(LIVE_WATCH_ENDED.code, LIVE_WATCH_ENDED.reason);
  };
  const sendLive = (text: string): void => {
    if (closed || ws.readyState !== OPEN) return;
    if (ws.bufferedAmount > WATCH_MAX_BUFFERED) return ws.close(TOO_SLOW.code, TOO_SLOW.reason);
    ws.send(text);
  };
  const joined = cast?.join(
    (text) => {
      if (caughtUp) return sendLive(text);
      queued.push(text);
      queuedBytes += text.length;
      if (queuedBytes > WATCH_MAX_BUFFERED && ws.readyState === OPEN) ws.close(TOO_SLOW.code, TOO_SLOW.reason);
    },
    () => {
      ended = true;
      if (caughtUp) finish();
    },
  );
  ws.on('close', () => {
    closed = true;
    joined?.leave();
  });
  ws.on('message', () => undefined);
  ws.on('error', () => undefined);

  // 1. What is on disk (for a live session: exactly the bytes written when it was joined).
  const fileBytes = joined?.fileBytes;
  if (fileBytes !== 0) {
    let carry = '';
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK, ...(fileBytes !== undefined ? { start: 0, end: fileBytes - 1 } : {}) });
    for await (const chunk of stream as AsyncIterable<string>) {
      if (closed) return void stream.destroy();
      const text = carry + chunk;
      const cut = text.lastIndexOf('\n') + 1;
      carry = text.slice(cut);
      if (cut > 0 && ws.readyState === OPEN) ws.send(text.slice(0, cut));
      await waitDrained(ws, 1024 * 1024);
    }
    // A partial last line (only possible after a power loss, before the start-up repair) is not sent.
  }
  if (closed) return;
  // 2. What was on its way to the disk when it was joined, then what came since.
  const tail = joined ? joined.tail.toString('utf8') : '';
  if (tail && ws.readyState === OPEN) ws.send(tail);
  for (const text of queued) sendLive(text);
  queued = [];
  caughtUp = true;
  if (ended) finish();
}
