import { describe, expect, it } from 'vitest';
import { ClientEndWatch } from './client-end-watch.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** TPKT · X.224 data · MCS Send Data Request (user 1007 → I/O channel 1003) · Share Data PDU with `pduType2`. */
const shareData = (pduType2: number) =>
  hex(`0300 0020 02f080 64 0006 03eb 70 12 1200 1700 ea03 ea030100 00 01 0000 ${pduType2.toString(16).padStart(2, '0')} 00 0000`);
const SHUTDOWN_REQUEST = shareData(0x24);
const DISCONNECT_ULTIMATUM = hex('0300 0009 02f080 2180');
const CREDSSP = hex('3082 0004 a0030201');
const FAST_PATH_INPUT = hex('04 08 01 10 8a 00 01 00'); // one scancode event, as a keystroke
const SYNCHRONIZE = shareData(0x1f);

function fed(...chunks: Buffer[]): ClientEndWatch {
  const watch = new ClientEndWatch();
  for (const c of chunks) watch.feed(c);
  return watch;
}

describe('ClientEndWatch: did the browser ask the VM to end the session?', () => {
  it('a Shutdown Request PDU or a Disconnect Provider Ultimatum: yes', () => {
    expect(fed(SHUTDOWN_REQUEST).askedToEnd).toBe(true);
    expect(fed(DISCONNECT_ULTIMATUM).askedToEnd).toBe(true);
  });

  it('after NLA, ordinary slow-path and fast-path traffic: no, then the shutdown: yes', () => {
    const watch = fed(CREDSSP, SYNCHRONIZE, FAST_PATH_INPUT, FAST_PATH_INPUT);
    expect(watch.askedToEnd).toBe(false);
    watch.feed(SHUTDOWN_REQUEST);
    expect(watch.askedToEnd).toBe(true);
  });

  it('frames split anywhere, several in one message', () => {
    const all = Buffer.concat([CREDSSP, SYNCHRONIZE, FAST_PATH_INPUT, SHUTDOWN_REQUEST]);
    expect(fed(...[...all].map((b) => Buffer.from([b]))).askedToEnd).toBe(true);
    expect(fed(all).askedToEnd).toBe(true);
    expect(fed(all.subarray(0, all.length - 1)).askedToEnd).toBe(false);
  });

  it('bytes it does not recognise stop the watch (no guessing from then on)', () => {
    expect(fed(hex('ff ff ff ff'), SHUTDOWN_REQUEST).askedToEnd).toBe(false);
  });
});
