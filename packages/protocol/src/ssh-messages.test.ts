import { describe, expect, it } from 'vitest';
import {
  CLOSE_REASONS,
  FLOW_CONTROL,
  MAX_CONTROL_FRAME,
  MAX_DATA_PAYLOAD,
  MAX_FRAME,
  MAX_TEXT_FIELD,
  SSH_WIRE_ERROR_CODES,
  SSH_WIRE_ERROR_MESSAGES,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientControl,
  encodeDataFrame,
  encodeDataFrames,
  encodeInputFrames,
  encodeServerControl,
  truncateText,
  utf8ByteLength,
  utf8Encode,
  type ClientControlMessage,
  type DecodeResult,
  type ServerControlMessage,
} from './ssh-messages.js';
import {
  CONNECTED_MESSAGE,
  connectedAuditRecord,
  endAuditRecord,
  startAuditRecord,
  toAzureBastionAuditLog,
} from './bastion-audit-log.js';

const ok = <M>(r: DecodeResult<M>): M => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.message;
};
const errCode = <M>(r: DecodeResult<M>): string => (r.ok ? 'ok' : r.error.code);

/** A deterministic PRNG (mulberry32) so fuzz failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('constants', () => {
  it('match the design', () => {
    expect(MAX_FRAME).toBe(65536);
    expect(MAX_CONTROL_FRAME).toBe(4096);
    expect(FLOW_CONTROL).toEqual({ HIGH_WATER: 262144, LOW_WATER: 65536, ACK_EVERY: 32768 });
    expect(FLOW_CONTROL.LOW_WATER).toBeLessThan(FLOW_CONTROL.HIGH_WATER);
    expect(FLOW_CONTROL.ACK_EVERY).toBeLessThan(FLOW_CONTROL.HIGH_WATER - FLOW_CONTROL.LOW_WATER);
  });
  it('every error code has a default message', () => {
    for (const code of SSH_WIRE_ERROR_CODES) expect(SSH_WIRE_ERROR_MESSAGES[code].length).toBeGreaterThan(0);
  });
});

describe('round trips', () => {
  const clientMessages: ClientControlMessage[] = [
    { type: 'resize', cols: 80, rows: 24 },
    { type: 'resize', cols: 1, rows: 1000 },
    { type: 'ack', bytes: 0 },
    { type: 'ack', bytes: FLOW_CONTROL.ACK_EVERY },
    { type: 'ack', bytes: Number.MAX_SAFE_INTEGER },
    { type: 'ping', t: 0 },
    { type: 'ping', t: 1234.5 },
  ];
  it.each(clientMessages)('client %j', (m) => {
    const frame = encodeClientControl(m);
    expect(typeof frame).toBe('string');
    expect(ok(decodeClientFrame(frame))).toEqual(m);
  });

  const serverMessages: ServerControlMessage[] = [
    { type: 'ready', sessionId: 's-1', hostKey: { fingerprint: 'SHA256:abc+/=', keyType: 'ssh-ed25519', status: 'new' } },
    { type: 'ready', sessionId: 's-2', hostKey: { fingerprint: 'SHA256:abc', keyType: 'ecdsa-sha2-nistp256', status: 'match' } },
    ...SSH_WIRE_ERROR_CODES.map((code) => ({ type: 'error' as const, code, message: SSH_WIRE_ERROR_MESSAGES[code] })),
    ...CLOSE_REASONS.map((reason) => ({ type: 'closed' as const, reason, message: '' })),
    { type: 'pong', t: 99 },
    { type: 'notice', message: 'Host key pinned: SHA256:abc — 日本語 😀' },
    // An empty notice clears the one shown (the idle warning, once the user typed again).
    { type: 'notice', message: '' },
    { type: 'recording', recorded: false, message: 'This session is not being recorded: the recording failed (ENOSPC).' },
  ];
  it.each(serverMessages)('server %j', (m) => {
    expect(ok(decodeServerFrame(encodeServerControl(m)))).toEqual(m);
  });

  it('data frames carry bytes after a 0x00 tag, both ways', () => {
    const bytes = new Uint8Array([0, 1, 0xff, 0x1b, 0x5b, 0x41]);
    const frame = encodeDataFrame(bytes);
    expect([...frame]).toEqual([0x00, ...bytes]);
    expect(ok(decodeClientFrame(frame))).toEqual({ type: 'data', data: bytes });
    expect(ok(decodeServerFrame(frame))).toEqual({ type: 'data', data: bytes });
    expect(ok(decodeServerFrame(frame.buffer as ArrayBuffer))).toEqual({ type: 'data', data: bytes });
    expect(ok(decodeClientFrame(new Uint8Array([0])))).toEqual({ type: 'data', data: new Uint8Array(0) });
  });

  it('splits large output into frames no larger than MAX_FRAME, losing nothing', () => {
    const big = new Uint8Array(MAX_DATA_PAYLOAD * 2 + 10).map((_, i) => i & 0xff);
    const frames = encodeDataFrames(big);
    expect(frames.map((f) => f.length)).toEqual([MAX_FRAME, MAX_FRAME, 11]);
    const joined = frames.flatMap((f) => {
      const m = ok(decodeServerFrame(f));
      return m.type === 'data' ? [...m.data] : [];
    });
    expect(joined).toEqual([...big]);
    expect(encodeDataFrames(new Uint8Array(0))).toEqual([]);
    expect(() => encodeDataFrame(new Uint8Array(MAX_FRAME))).toThrow(RangeError);
  });

  it('encodes keyboard input as UTF-8', () => {
    const [frame] = encodeInputFrames('é€😀\x03');
    expect([...(frame ?? [])]).toEqual([0x00, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0x03]);
  });

  it('encoders drop unknown keys and refuse invalid values', () => {
    const sneaky = { type: 'ack', bytes: 1, extra: true } as unknown as ClientControlMessage;
    expect(encodeClientControl(sneaky)).toBe('{"type":"ack","bytes":1}');
    expect(() => encodeClientControl({ type: 'resize', cols: 0, rows: 24 })).toThrow(RangeError);
    expect(() => encodeClientControl({ type: 'ack', bytes: -1 })).toThrow(RangeError);
    expect(() => encodeServerControl({ type: 'error', code: 'nope' as 'internal', message: '' })).toThrow(RangeError);
  });

  it('truncates long server text instead of failing, never splitting a surrogate pair', () => {
    const long = 'x'.repeat(MAX_TEXT_FIELD - 2) + '😀😀😀';
    const m = ok(decodeServerFrame(encodeServerControl({ type: 'error', code: 'unreachable', message: long })));
    expect(m.type === 'error' && m.message.length).toBeLessThanOrEqual(MAX_TEXT_FIELD);
    expect(truncateText(long).endsWith('x…')).toBe(true);
    // Worst case for JSON escaping: control characters become \u00XX (6 bytes each).
    const frame = encodeServerControl({ type: 'notice', message: '\u0001'.repeat(10_000) });
    expect(utf8ByteLength(frame)).toBeLessThanOrEqual(MAX_CONTROL_FRAME);
  });
});

describe('strict validation', () => {
  const badClient: Array<[string, string]> = [
    ['', 'empty_frame'],
    ['{', 'bad_json'],
    ['{"type":"resize","cols":80', 'bad_json'],
    ['null', 'bad_json'],
    ['[]', 'bad_json'],
    ['"resize"', 'bad_json'],
    ['42', 'bad_json'],
    ['{}', 'bad_field'],
    ['{"type":1}', 'bad_field'],
    ['{"type":"exec","cmd":"rm -rf /"}', 'unknown_type'],
    ['{"type":"Resize","cols":80,"rows":24}', 'unknown_type'],
    ['{"type":"resize","cols":80}', 'bad_field'],
    ['{"type":"resize","cols":0,"rows":24}', 'bad_field'],
    ['{"type":"resize","cols":1001,"rows":24}', 'bad_field'],
    ['{"type":"resize","cols":80.5,"rows":24}', 'bad_field'],
    ['{"type":"resize","cols":"80","rows":24}', 'bad_field'],
    ['{"type":"resize","cols":80,"rows":-1}', 'bad_field'],
    ['{"type":"resize","cols":1e400,"rows":24}', 'bad_field'],
    ['{"type":"resize","cols":80,"rows":24,"x":1}', 'unknown_field'],
    ['{"type":"ack","bytes":-1}', 'bad_field'],
    ['{"type":"ack","bytes":1.5}', 'bad_field'],
    ['{"type":"ack","bytes":9007199254740992}', 'bad_field'],
    ['{"type":"ack","bytes":1e308}', 'bad_field'],
    ['{"type":"ack","bytes":null}', 'bad_field'],
    ['{"type":"ack","bytes":[1]}', 'bad_field'],
    ['{"type":"ack","bytes":{"valueOf":1}}', 'bad_field'],
    ['{"type":"ping"}', 'bad_field'],
    ['{"type":"ping","t":-5}', 'bad_field'],
    ['{"type":"ping","t":"now"}', 'bad_field'],
    ['{"type":"ping","t":1,"__proto__":{"polluted":true}}', 'unknown_field'],
    ['{"__proto__":{"type":"ping","t":1}}', 'bad_field'],
    ['{"type":"ack","bytes":1,"constructor":{"prototype":{"polluted":true}}}', 'unknown_field'],
    // Server messages are not client messages.
    ['{"type":"pong","t":1}', 'unknown_type'],
  ];
  it.each(badClient)('client text %s → %s', (frame, code) => {
    expect(errCode(decodeClientFrame(frame))).toBe(code);
  });

  it('rejects oversized frames and unknown tags', () => {
    expect(errCode(decodeClientFrame(`{"type":"ping","t":1,"pad":"${'x'.repeat(MAX_CONTROL_FRAME)}"}`))).toBe('frame_too_large');
    // Under 4 KiB in UTF-16 units but over 4 KiB in UTF-8 bytes.
    expect(errCode(decodeClientFrame(`{"type":"notice","message":"${'€'.repeat(1400)}"}`))).toBe('frame_too_large');
    expect(errCode(decodeClientFrame(new Uint8Array(MAX_FRAME + 1)))).toBe('frame_too_large');
    expect(errCode(decodeClientFrame(new Uint8Array(0)))).toBe('empty_frame');
    expect(errCode(decodeClientFrame(new Uint8Array([0x01, 0x41])))).toBe('unknown_tag');
    expect(errCode(decodeClientFrame(new Uint8Array([0xff])))).toBe('unknown_tag');
    expect(errCode(decodeClientFrame(42 as unknown as string))).toBe('bad_frame');
    expect(errCode(decodeClientFrame(null as unknown as string))).toBe('bad_frame');
  });

  const badServer: Array<[string, string]> = [
    ['{"type":"ready","sessionId":"s","hostKey":{"fingerprint":"f","keyType":"k","status":"changed"}}', 'bad_field'],
    ['{"type":"ready","sessionId":"s","hostKey":{"fingerprint":"f","keyType":"k"}}', 'bad_field'],
    ['{"type":"ready","sessionId":"s","hostKey":{"fingerprint":"f","keyType":"k","status":"new","x":1}}', 'unknown_field'],
    ['{"type":"ready","sessionId":"s","hostKey":[]}', 'bad_field'],
    ['{"type":"ready","sessionId":"","hostKey":{"fingerprint":"f","keyType":"k","status":"new"}}', 'bad_field'],
    [`{"type":"ready","sessionId":"${'s'.repeat(129)}","hostKey":{"fingerprint":"f","keyType":"k","status":"new"}}`, 'bad_field'],
    ['{"type":"error","code":"teapot","message":"x"}', 'bad_field'],
    ['{"type":"error","code":"internal"}', 'bad_field'],
    ['{"type":"error","code":"__proto__","message":"x"}', 'bad_field'],
    ['{"type":"error","code":"toString","message":"x"}', 'bad_field'],
    ['{"type":"closed","reason":"bored","message":""}', 'bad_field'],
    [`{"type":"notice","message":"${'x'.repeat(MAX_TEXT_FIELD + 1)}"}`, 'bad_field'],
    ['{"type":"pong","t":1,"extra":2}', 'unknown_field'],
    ['{"type":"resize","cols":80,"rows":24}', 'unknown_type'],
  ];
  it.each(badServer)('server text %s → %s', (frame, code) => {
    expect(errCode(decodeServerFrame(frame))).toBe(code);
  });

  it('does not pollute prototypes and returns fresh objects', () => {
    const m = ok(decodeClientFrame('{"type":"ping","t":1}'));
    expect(Object.keys(m)).toEqual(['type', 't']);
    const r = decodeClientFrame('{"__proto__":{"polluted":true},"type":"ack","bytes":1}');
    expect(r.ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('fuzz: decoders never throw', () => {
  const next = rng(0xb45710);
  const randomBytes = (n: number): Uint8Array => new Uint8Array(n).map(() => Math.floor(next() * 256));
  const randomString = (n: number): string =>
    String.fromCharCode(...Array.from({ length: n }, () => (next() < 0.8 ? 0x20 + Math.floor(next() * 0x5f) : Math.floor(next() * 0x10000))));

  it('random binary frames', () => {
    for (let i = 0; i < 2000; i++) {
      const frame = randomBytes(Math.floor(next() * 64));
      for (const decode of [decodeClientFrame, decodeServerFrame]) {
        const r = decode(frame);
        expect(r.ok).toBe(frame[0] === 0x00);
      }
    }
  });

  it('random and mutated text frames', () => {
    const seeds = [
      encodeClientControl({ type: 'resize', cols: 80, rows: 24 }),
      encodeClientControl({ type: 'ack', bytes: 4096 }),
      encodeServerControl({ type: 'ready', sessionId: 's', hostKey: { fingerprint: 'SHA256:x', keyType: 'ssh-rsa', status: 'new' } }),
      encodeServerControl({ type: 'error', code: 'auth_failed', message: 'Authentication failed.' }),
    ];
    const tokens = ['__proto__', 'constructor', 'prototype', '1e999', '-0', 'NaN', 'null', '[]', '{}', '"', '\\', '\u0000', '9'.repeat(400)];
    for (let i = 0; i < 3000; i++) {
      let frame: string;
      const seed = seeds[i % seeds.length] ?? '';
      const pick = next();
      if (pick < 0.25) frame = randomString(Math.floor(next() * 80));
      else if (pick < 0.5) frame = seed.slice(0, Math.floor(next() * seed.length)); // truncated JSON
      else {
        const at = Math.floor(next() * seed.length);
        const token = tokens[Math.floor(next() * tokens.length)] ?? '';
        frame = seed.slice(0, at) + token + seed.slice(at + (next() < 0.5 ? 0 : 1));
      }
      for (const decode of [decodeClientFrame, decodeServerFrame]) {
        const r = decode(frame);
        if (r.ok) expect(typeof r.message.type).toBe('string');
        else expect(typeof r.error.message).toBe('string');
      }
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('huge and deeply nested JSON', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(errCode(decodeClientFrame(deep))).toBe('frame_too_large');
    const nested = `{"type":"ack","bytes":${'['.repeat(2000)}${']'.repeat(2000)}}`;
    expect(errCode(decodeClientFrame(nested))).toBe('bad_field');
    expect(errCode(decodeClientFrame(`{"type":"ack","bytes":1${'0'.repeat(400)}}`))).toBe('bad_field');
  });
});

describe('utf8Encode', () => {
  it('matches the platform TextEncoder, lone surrogates included', () => {
    const next = rng(42);
    const encoder = new TextEncoder();
    const samples = ['', 'ascii', 'é', '€', '😀', '\ud800', '\udc00x', 'a\ud83d', '\ud83d\ude00\ud83d', '\u07ff\u0800\uffff'];
    for (let i = 0; i < 500; i++) samples.push(String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(next() * 0x10000))));
    for (const s of samples) {
      const expected = encoder.encode(s);
      expect(utf8Encode(s)).toEqual(expected);
      expect(utf8ByteLength(s)).toBe(expected.length);
    }
  });
});

// The audit record's helpers are tested here for now (the record is written from the SSH relay).
describe('bastion audit record', () => {
  const start = startAuditRecord({
    sessionId: 'sess-1',
    protocol: 'ssh',
    bastionResourceId: '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/bastionHosts/bas',
    userName: 'azureuser',
    principalName: 'alice',
    principalId: 'u-1',
    userAgent: 'Chromium',
    clientIpAddress: '10.0.0.5',
    clientPort: 51000,
    targetResourceId: '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web01',
    targetVMIPAddress: '10.1.0.4',
    targetPort: 22,
    startTime: '2026-11-23T10:00:00.000Z',
  });

  it('starts open, then records a successful session with duration and bytes', () => {
    expect(start).toMatchObject({ endTime: null, durationMs: null, endReason: null, bytesIn: 0, bytesOut: 0 });
    const ended = endAuditRecord(connectedAuditRecord(start), {
      kind: 'ended',
      reason: 'exited',
      endTime: '2026-11-23T10:01:30.500Z',
      bytesIn: 12,
      bytesOut: 3400,
    });
    expect(ended).toMatchObject({ message: CONNECTED_MESSAGE, endReason: 'exited', durationMs: 90_500, bytesIn: 12, bytesOut: 3400, errorCode: null });
  });

  it('records a failure with the message the user saw, in Azure\'s envelope', () => {
    const failed = endAuditRecord(start, {
      kind: 'failed',
      errorCode: 'auth_failed',
      message: 'Authentication failed.',
      endTime: '2026-11-23T10:00:01.000Z',
    });
    expect(failed).toMatchObject({ message: 'Authentication failed.', errorCode: 'auth_failed', endReason: 'failed', durationMs: 1000 });
    const azure = toAzureBastionAuditLog(failed);
    expect(azure).toMatchObject({
      operationName: 'Microsoft.Network/BastionHost/connect',
      category: 'BastionAuditLogs',
      level: 'Warning',
      properties: { userName: 'azureuser', userEmail: 'alice', subscriptionId: 'sub-1', protocol: 'ssh', message: 'Authentication failed.' },
    });
    expect('tunnelId' in azure.properties).toBe(false);
  });
});
