import type { FastifyRequest } from 'fastify';
import type { BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import { sendControl, type RelayHandle, type RelaySocket } from '../../gateway/ssh/relay.js';
import type { RdpClientStream } from '../../gateway/rdp/relay.js';
import { sessionRecordingAllowed } from '../../inventory/bastion-features.js';
import type { RdpRecording, RecordingStart, Recordings, SshRecording } from '../../recordings/index.js';

/** The PTY size ssh-connect opens with (gateway/ssh/connect.ts); the browser's first resize follows. */
const SSH_INITIAL_SIZE = { cols: 80, rows: 24 };
const DISCONNECT_NOTE = 'This bastion ends sessions it cannot record (recordings.onFailure: disconnect).';
const CONTINUE_NOTE = 'This session is not being recorded.';

/**
 * The recordings that apply to this session: the global ones, unless the bastion it goes through has
 * `enableSessionRecording: false` (then none: the session is simply not recorded, no failure policy applies).
 * Read when the session connects, so a switch changed meanwhile counts from the next session on.
 */
export async function recordingsFor(recordings: Recordings | undefined, inventory: { get(id: string): Promise<{ properties: object } | undefined> }, record: Pick<BastionAuditRecord, 'bastionResourceId'>): Promise<Recordings | undefined> {
  if (!recordings) return undefined;
  return (await sessionRecordingAllowed(inventory, record.bastionResourceId)) ? recordings : undefined;
}

/**
 * Starts the recording of an SSH session (design 0006). When it cannot start or writing fails later,
 * `recordings.onFailure` decides: 'continue' (default) tells the user in a `recording { recorded: false }`
 * message (for a start failure: `notRecorded`, which the caller sends after `ready`; the failure is logged
 * and audited as recording.failed), 'disconnect' (the strict mode: sessions must be recorded) refuses the
 * session or ends it as 'terminated'. Answers `ok: false` only when the recording could not start and the
 * policy is 'disconnect': the caller then refuses the session.
 */
export async function startSshRecording(recordings: Recordings | undefined, record: BastionAuditRecord, request: FastifyRequest, ws: RelaySocket, relay: () => RelayHandle | undefined): Promise<RecordingStart<SshRecording>> {
  if (!recordings) return { ok: true, recording: undefined };
  const disconnect = recordings.settings.onFailure === 'disconnect';
  const onFailure = (message: string): void => {
    if (disconnect) relay()?.end('terminated', `${message} ${DISCONNECT_NOTE}`);
    else sendControl(ws, { type: 'recording', recorded: false, message: `${message} ${CONTINUE_NOTE}` });
  };
  try {
    const started = await recordings.startSsh(record, SSH_INITIAL_SIZE, onFailure);
    if (started.ok) return started;
    return disconnect ? { ok: false, message: `${started.message} ${DISCONNECT_NOTE}` } : { ok: true, recording: undefined, notRecorded: `${started.message} ${CONTINUE_NOTE}` };
  } catch (err) {
    request.log.error({ err, sessionId: record.sessionId }, 'session recording did not start');
    return disconnect ? { ok: false, message: `The session recording failed. ${DISCONNECT_NOTE}` } : { ok: true, recording: undefined, notRecorded: `The session recording failed. ${CONTINUE_NOTE}` };
  }
}

/**
 * Starts the capture of an RDP session and taps the relay's stream into it. RDP has no channel of ours inside
 * the session, so under 'continue' a capture that cannot start or breaks later is logged, audited and handed
 * to `notRecorded` (the relay keeps it for the page's status request: gateway/rdp/session-status.ts); under
 * 'disconnect' the relay ends the session, and `notRecorded` gets the reason too, for the page to show. Throws (the caller's refusal path) when the
 * capture cannot start under 'disconnect'.
 */
export async function startRdpRecording(recordings: Recordings | undefined, record: BastionAuditRecord, stream: RdpClientStream, notRecorded: (message: string, ended: boolean) => void): Promise<RdpRecording | undefined> {
  if (!recordings) return undefined;
  const disconnect = recordings.settings.onFailure === 'disconnect';
  const started = await recordings.startRdp(record, (message) => {
    // Told before the end, so that the page asking why the session ended learns it (the close reason is cut).
    notRecorded(`${message} ${disconnect ? DISCONNECT_NOTE : CONTINUE_NOTE}`, disconnect);
    if (disconnect) stream.shutdown('terminated', `${message} ${DISCONNECT_NOTE}`);
  });
  if (!started.ok) {
    notRecorded(`${started.message} ${disconnect ? DISCONNECT_NOTE : CONTINUE_NOTE}`, disconnect);
    if (disconnect) throw new Error(`${started.message} ${DISCONNECT_NOTE}`);
    return undefined;
  }
  if (started.recording) stream.tap = started.recording;
  return started.recording;
}
