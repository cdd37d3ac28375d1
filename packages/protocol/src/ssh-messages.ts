/**
 * The browser-SSH WebSocket protocol (design: docs/design/0003-browser-ssh.md). Framing only: pure
 * functions from frames to typed messages and back; no sockets, no Node or DOM APIs.
 *
 * Two kinds of WebSocket frame:
 * - **binary** frames carry terminal bytes: `| tag uint8 | payload … |`, at most MAX_FRAME bytes in all.
 *   Tag 0x00 = data (client → server: keyboard input; server → client: PTY output). Other tags are reserved.
 * - **text** frames carry one JSON control message, `type`-tagged, at most MAX_CONTROL_FRAME UTF-8 bytes.
 *
 * Decoders validate strictly and never throw: unknown tags, types or fields, wrong field types and
 * out-of-range numbers are errors. A decoded message is rebuilt from its validated fields, so nothing
 * from the parsed JSON (such as a `__proto__` key) reaches the caller.
 *
 * Flow control (server → browser): the browser sends `ack` with the number of data-payload bytes it has
 * finished writing to xterm since its previous ack (after xterm's write callback), at least every
 * ACK_EVERY bytes. The server pauses the ssh2 channel while unacknowledged bytes exceed HIGH_WATER and
 * resumes below LOW_WATER. Browser → server needs no acks: the server relays input to the channel and
 * stops reading the socket while the channel's write buffer is full (TCP back-pressure).
 */

/** Largest binary frame, tag included (64 KiB). Larger frames are refused. */
export const MAX_FRAME = 64 * 1024;
/** Largest data payload in one binary frame. */
export const MAX_DATA_PAYLOAD = MAX_FRAME - 1;
/** Largest text (JSON control) frame, in UTF-8 bytes (4 KiB). */
export const MAX_CONTROL_FRAME = 4 * 1024;
/** Longest free-text field (`message`, `reason`…) in UTF-16 code units; encoders truncate to it. */
export const MAX_TEXT_FIELD = 512;
/** Longest identifier field (`sessionId`, `fingerprint`, `keyType`). */
export const MAX_ID_FIELD = 128;
/** Terminal size bounds for `resize` (inclusive). */
export const MIN_TERMINAL_DIMENSION = 1;
export const MAX_TERMINAL_DIMENSION = 1000;

/** Flow-control defaults, in data-payload bytes. */
export const FLOW_CONTROL = {
  /** The server pauses the ssh2 channel when unacknowledged output exceeds this. */
  HIGH_WATER: 256 * 1024,
  /** …and resumes it once unacknowledged output falls below this. */
  LOW_WATER: 64 * 1024,
  /** The browser acknowledges at least every this many written bytes. */
  ACK_EVERY: 32 * 1024,
} as const;

/** Binary frame tags (first byte of a binary frame). */
export const FRAME_TAG = { DATA: 0x00 } as const;

/** WebSocket close codes the relay uses (RFC 6455 §7.4). */
export const WS_CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

// ---------------------------------------------------------------------------------------------------
// Messages

/** Terminal bytes, either direction. Binary: `| 0x00 | bytes … |`. `data` may alias the decoded frame. */
export interface DataMessage {
  type: 'data';
  data: Uint8Array;
}

/** Client → server controls (text frames). */
export type ClientControlMessage =
  /** `{"type":"resize","cols":120,"rows":40}` — integers in 1..1000; the server resizes the PTY. */
  | { type: 'resize'; cols: number; rows: number }
  /** `{"type":"ack","bytes":32768}` — output bytes written to xterm since the previous ack (safe integer ≥ 0). */
  | { type: 'ack'; bytes: number }
  /** `{"type":"ping","t":1234.5}` — keepalive; `t` (finite, ≥ 0) is echoed in `pong`. */
  | { type: 'ping'; t: number };

/** Everything a client can send. */
export type ClientMessage = ClientControlMessage | DataMessage;

/** Error codes in `error` messages; each has a default text in SSH_WIRE_ERROR_MESSAGES. */
export const SSH_WIRE_ERROR_CODES = [
  'auth_failed',
  'bad_passphrase',
  'bad_key',
  'unreachable',
  'refused',
  'host_key_changed',
  'ticket_invalid',
  'ticket_expired',
  'forbidden',
  'closed',
  'internal',
] as const;
export type SshWireErrorCode = (typeof SSH_WIRE_ERROR_CODES)[number];

/** Default user-facing text per error code; the server may send a more specific message. */
export const SSH_WIRE_ERROR_MESSAGES: Record<SshWireErrorCode, string> = {
  auth_failed: 'Authentication failed.',
  bad_passphrase: 'The private key passphrase is wrong.',
  bad_key: 'The private key could not be read.',
  unreachable: 'The VM could not be reached.',
  refused: 'The VM refused the connection.',
  host_key_changed:
    "The VM's host key has changed. This could mean someone is intercepting the connection (man-in-the-middle). An administrator must accept the new key.",
  ticket_invalid: 'The connect link is not valid. Start the connection again from the portal.',
  ticket_expired: 'The session expired. Start the connection again from the portal.',
  forbidden: 'You do not have access to connect to this VM.',
  closed: 'The connection is closed.',
  internal: 'Internal error.',
};

/** Why a session ended (`closed.reason`, and the audit record's `endReason`). */
export const CLOSE_REASONS = [
  /** The remote shell exited. */
  'exited',
  /** The browser closed the session. */
  'client_closed',
  /** The VM or the network closed the SSH connection. */
  'remote_closed',
  /** No ping from the browser (or no answer from sshd) within the keepalive window. */
  'keepalive_timeout',
  /** An administrator ended the session. */
  'terminated',
  /** The bastion is shutting down. */
  'server_shutdown',
  /** The peer broke the protocol (bad frame, ack beyond what was sent). */
  'protocol_error',
  /** No input from the user for the bastion's idle timeout (a `notice` warned a minute before). */
  'idle_timeout',
  /** The session reached the bastion's maximum session length. */
  'max_duration',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export type HostKeyStatus = 'new' | 'match';

/** Server → client controls (text frames). */
export type ServerControlMessage =
  /**
   * `{"type":"ready","sessionId":"…","hostKey":{"fingerprint":"SHA256:…","keyType":"ssh-ed25519","status":"new"}}`
   * — the shell is open; `status: 'new'` means the key was pinned just now (show the fingerprint).
   */
  | { type: 'ready'; sessionId: string; hostKey: { fingerprint: string; keyType: string; status: HostKeyStatus } }
  /** `{"type":"error","code":"auth_failed","message":"Authentication failed."}` — fatal; a close follows. */
  | { type: 'error'; code: SshWireErrorCode; message: string }
  /** `{"type":"closed","reason":"exited","message":"The shell exited with status 0."}` — the session ended. */
  | { type: 'closed'; reason: CloseReason; message: string }
  /** `{"type":"pong","t":1234.5}` — answer to `ping`, echoing `t`. */
  | { type: 'pong'; t: number }
  /**
   * `{"type":"notice","message":"…"}` — informational; show it (replacing the previous one), keep going.
   * An empty `message` clears the notice shown (e.g. the idle warning once the user typed again).
   */
  | { type: 'notice'; message: string }
  /**
   * `{"type":"recording","recorded":false,"message":"This session is not being recorded: …"}` — the bastion's
   * policy records sessions but this one's recording could not start or stopped (disk full, read-only folder);
   * the session goes on unrecorded (recordings.onFailure: continue). Shown apart from `notice` and kept for
   * the rest of the session, so an idle warning and its clearing do not hide it.
   */
  | { type: 'recording'; recorded: boolean; message: string }
  /**
   * `{"type":"vm_status","responding":false,"message":"The VM is not responding …"}` — the VM (sshd) has sent
   * nothing, not even a keepalive answer, for a few seconds; `responding: true` (empty `message`) once it
   * answers again. Shown apart from `notice`, so it neither hides nor clears the idle warning.
   */
  | { type: 'vm_status'; responding: boolean; message: string };

/** Everything a server can send. */
export type ServerMessage = ServerControlMessage | DataMessage;

/** Why a frame was refused. `message` is safe to log and to show. */
export interface FrameError {
  code: 'bad_frame' | 'empty_frame' | 'frame_too_large' | 'unknown_tag' | 'bad_json' | 'unknown_type' | 'bad_field' | 'unknown_field';
  message: string;
}

export type DecodeResult<M> = { ok: true; message: M } | { ok: false; error: FrameError };

// ---------------------------------------------------------------------------------------------------
// Encoding

/** A binary data frame `| 0x00 | bytes |`. Throws if `bytes` exceeds MAX_DATA_PAYLOAD (use encodeDataFrames). */
export function encodeDataFrame(bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_DATA_PAYLOAD) throw new RangeError(`data payload of ${bytes.length} bytes exceeds ${MAX_DATA_PAYLOAD}`);
  const frame = new Uint8Array(bytes.length + 1);
  frame[0] = FRAME_TAG.DATA;
  frame.set(bytes, 1);
  return frame;
}

/** Splits any number of bytes into data frames of at most MAX_FRAME bytes (none for empty input). */
export function encodeDataFrames(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += MAX_DATA_PAYLOAD) {
    frames.push(encodeDataFrame(bytes.subarray(at, at + MAX_DATA_PAYLOAD)));
  }
  return frames;
}

/** Keyboard input (xterm's `onData` string) as data frames, UTF-8 encoded. */
export const encodeInputFrames = (text: string): Uint8Array[] => encodeDataFrames(utf8Encode(text));

/** A client control message as a text frame. Throws on values the decoder would refuse (programming errors). */
export function encodeClientControl(message: ClientControlMessage): string {
  const text = JSON.stringify(rebuildClientControl(message));
  const checked = decodeClientFrame(text);
  if (!checked.ok) throw new RangeError(`invalid client message: ${checked.error.message}`);
  return text;
}

/**
 * A server control message as a text frame. Free text (`message`) is truncated to MAX_TEXT_FIELD, so an
 * error with a long message is still sent; other invalid values throw (programming errors).
 */
export function encodeServerControl(message: ServerControlMessage): string {
  const text = JSON.stringify(rebuildServerControl(message));
  const checked = decodeServerFrame(text);
  if (!checked.ok) throw new RangeError(`invalid server message: ${checked.error.message}`);
  return text;
}

// Fixed key order, and only known keys, whatever the caller's object carries.
function rebuildClientControl(m: ClientControlMessage): ClientControlMessage {
  switch (m.type) {
    case 'resize':
      return { type: 'resize', cols: m.cols, rows: m.rows };
    case 'ack':
      return { type: 'ack', bytes: m.bytes };
    case 'ping':
      return { type: 'ping', t: m.t };
  }
}

function rebuildServerControl(m: ServerControlMessage): ServerControlMessage {
  switch (m.type) {
    case 'ready': {
      const { fingerprint, keyType, status } = m.hostKey;
      return { type: 'ready', sessionId: m.sessionId, hostKey: { fingerprint, keyType, status } };
    }
    case 'error':
      return { type: 'error', code: m.code, message: truncateText(m.message) };
    case 'closed':
      return { type: 'closed', reason: m.reason, message: truncateText(m.message) };
    case 'pong':
      return { type: 'pong', t: m.t };
    case 'notice':
      return { type: 'notice', message: truncateText(m.message) };
    case 'recording':
      return { type: 'recording', recorded: m.recorded, message: truncateText(m.message) };
    case 'vm_status':
      return { type: 'vm_status', responding: m.responding, message: truncateText(m.message) };
  }
}

/** Cuts `text` to MAX_TEXT_FIELD code units without splitting a surrogate pair. */
export function truncateText(text: string): string {
  if (text.length <= MAX_TEXT_FIELD) return text;
  let end = MAX_TEXT_FIELD - 1; // room for the ellipsis
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/**
 * A frame from the browser: a string is a text frame; a Uint8Array (Node's Buffer) or an ArrayBuffer (a
 * browser WebSocket with `binaryType = 'arraybuffer'`) is a binary frame. Never throws.
 */
export function decodeClientFrame(frame: string | Uint8Array | ArrayBuffer): DecodeResult<ClientMessage> {
  if (typeof frame !== 'string') return decodeBinary(frame);
  const parsed = parseControl(frame);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  switch (o.type) {
    case 'resize':
      return (
        only(o, ['cols', 'rows']) ??
        dimension(o, 'cols') ??
        dimension(o, 'rows') ?? { ok: true, message: { type: 'resize', cols: o.cols as number, rows: o.rows as number } }
      );
    case 'ack':
      return only(o, ['bytes']) ?? count(o, 'bytes') ?? { ok: true, message: { type: 'ack', bytes: o.bytes as number } };
    case 'ping':
      return only(o, ['t']) ?? timestamp(o, 't') ?? { ok: true, message: { type: 'ping', t: o.t as number } };
    default:
      return unknownType(o.type);
  }
}

/** A frame from the server (used by the web client). Never throws. */
export function decodeServerFrame(frame: string | Uint8Array | ArrayBuffer): DecodeResult<ServerMessage> {
  if (typeof frame !== 'string') return decodeBinary(frame);
  const parsed = parseControl(frame);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  switch (o.type) {
    case 'ready': {
      const bad = only(o, ['sessionId', 'hostKey']) ?? text(o, 'sessionId', MAX_ID_FIELD);
      if (bad) return bad;
      const hk = o.hostKey;
      if (!isPlainObject(hk)) return fail('bad_field', 'hostKey must be an object');
      const badKey =
        only(hk, ['fingerprint', 'keyType', 'status'], 'hostKey.') ??
        text(hk, 'fingerprint', MAX_ID_FIELD, 'hostKey.') ??
        text(hk, 'keyType', MAX_ID_FIELD, 'hostKey.') ??
        oneOf(hk, 'status', ['new', 'match'], 'hostKey.');
      if (badKey) return badKey;
      const hostKey = { fingerprint: hk.fingerprint as string, keyType: hk.keyType as string, status: hk.status as HostKeyStatus };
      return { ok: true, message: { type: 'ready', sessionId: o.sessionId as string, hostKey } };
    }
    case 'error':
      return (
        only(o, ['code', 'message']) ??
        oneOf(o, 'code', SSH_WIRE_ERROR_CODES) ??
        text(o, 'message', MAX_TEXT_FIELD, '', true) ?? {
          ok: true,
          message: { type: 'error', code: o.code as SshWireErrorCode, message: o.message as string },
        }
      );
    case 'closed':
      return (
        only(o, ['reason', 'message']) ??
        oneOf(o, 'reason', CLOSE_REASONS) ??
        text(o, 'message', MAX_TEXT_FIELD, '', true) ?? {
          ok: true,
          message: { type: 'closed', reason: o.reason as CloseReason, message: o.message as string },
        }
      );
    case 'pong':
      return only(o, ['t']) ?? timestamp(o, 't') ?? { ok: true, message: { type: 'pong', t: o.t as number } };
    case 'notice':
      return only(o, ['message']) ?? text(o, 'message', MAX_TEXT_FIELD, '', true) ?? { ok: true, message: { type: 'notice', message: o.message as string } };
    case 'recording':
      return (
        only(o, ['recorded', 'message']) ??
        (typeof o.recorded === 'boolean' ? undefined : fail('bad_field', 'recorded must be a boolean')) ??
        text(o, 'message', MAX_TEXT_FIELD, '', true) ?? { ok: true, message: { type: 'recording', recorded: o.recorded as boolean, message: o.message as string } }
      );
    case 'vm_status':
      return (
        only(o, ['responding', 'message']) ??
        (typeof o.responding === 'boolean' ? undefined : fail('bad_field', 'responding must be a boolean')) ??
        text(o, 'message', MAX_TEXT_FIELD, '', true) ?? { ok: true, message: { type: 'vm_status', responding: o.responding as boolean, message: o.message as string } }
      );
    default:
      return unknownType(o.type);
  }
}

type Failure = { ok: false; error: FrameError };
type Fields = Record<string, unknown>;

const fail = (code: FrameError['code'], message: string): Failure => ({ ok: false, error: { code, message } });

function decodeBinary(input: Uint8Array | ArrayBuffer): DecodeResult<DataMessage> {
  let frame: Uint8Array;
  if (input instanceof Uint8Array) frame = input;
  else if (input instanceof ArrayBuffer) frame = new Uint8Array(input);
  else return fail('bad_frame', 'a frame must be a string, a Uint8Array or an ArrayBuffer');
  if (frame.length === 0) return fail('empty_frame', 'empty binary frame');
  if (frame.length > MAX_FRAME) return fail('frame_too_large', `binary frame of ${frame.length} bytes exceeds ${MAX_FRAME}`);
  const tag = frame[0];
  if (tag !== FRAME_TAG.DATA) return fail('unknown_tag', `unknown binary frame tag 0x${(tag ?? 0).toString(16).padStart(2, '0')}`);
  return { ok: true, message: { type: 'data', data: frame.subarray(1) } };
}

/** JSON.parse behind the size limit; the result must be a plain object with a string `type`. */
function parseControl(frame: string): { ok: true; value: Fields & { type: string } } | Failure {
  if (frame.length === 0) return fail('empty_frame', 'empty text frame');
  // Each UTF-16 unit is at least one UTF-8 byte, so the cheap length check comes first.
  if (frame.length > MAX_CONTROL_FRAME || utf8ByteLength(frame) > MAX_CONTROL_FRAME) {
    return fail('frame_too_large', `text frame exceeds ${MAX_CONTROL_FRAME} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return fail('bad_json', 'text frame is not valid JSON');
  }
  if (!isPlainObject(value)) return fail('bad_json', 'text frame must be a JSON object');
  if (!Object.hasOwn(value, 'type') || typeof value.type !== 'string') return fail('bad_field', 'type must be a string');
  return { ok: true, value: value as Fields & { type: string } };
}

function isPlainObject(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const unknownType = (type: string): Failure => fail('unknown_type', `unknown message type ${JSON.stringify(type.slice(0, 32))}`);

/** Only `type` plus `allowed` may be present (own keys; JSON.parse makes `__proto__` an own key). */
function only(o: Fields, allowed: readonly string[], prefix = ''): Failure | undefined {
  for (const key of Object.keys(o)) {
    if (key === 'type' && prefix === '') continue;
    if (!allowed.includes(key)) return fail('unknown_field', `unknown field ${JSON.stringify(prefix + key.slice(0, 32))}`);
  }
  for (const key of allowed) if (!Object.hasOwn(o, key)) return fail('bad_field', `${prefix}${key} is required`);
  return undefined;
}

function dimension(o: Fields, key: string): Failure | undefined {
  const v = o[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= MIN_TERMINAL_DIMENSION && v <= MAX_TERMINAL_DIMENSION) return undefined;
  return fail('bad_field', `${key} must be an integer from ${MIN_TERMINAL_DIMENSION} to ${MAX_TERMINAL_DIMENSION}`);
}

function count(o: Fields, key: string): Failure | undefined {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return undefined;
  return fail('bad_field', `${key} must be a non-negative safe integer`);
}

function timestamp(o: Fields, key: string): Failure | undefined {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return undefined;
  return fail('bad_field', `${key} must be a finite number ≥ 0`);
}

function text(o: Fields, key: string, max: number, prefix = '', allowEmpty = false): Failure | undefined {
  const v = o[key];
  if (typeof v === 'string' && v.length <= max && (allowEmpty || v.length > 0)) return undefined;
  return fail('bad_field', `${prefix}${key} must be a ${allowEmpty ? '' : 'non-empty '}string of at most ${max} characters`);
}

function oneOf(o: Fields, key: string, values: readonly string[], prefix = ''): Failure | undefined {
  const v = o[key];
  if (typeof v === 'string' && values.includes(v)) return undefined;
  return fail('bad_field', `${prefix}${key} must be one of ${values.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------------
// UTF-8 (the ES2022 lib has no TextEncoder; these match its behaviour)

/** Bytes `text` takes in UTF-8; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder encodes it. */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** UTF-8 encoding of `text`, like TextEncoder: lone surrogates become U+FFFD (EF BF BD). */
export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(utf8ByteLength(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && isLowSurrogate(next)) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (c < 0x80) out[at++] = c;
    else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      out[at++] = 0xf0 | (c >> 18);
      out[at++] = 0x80 | ((c >> 12) & 0x3f);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
