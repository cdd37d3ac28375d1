import { useEffect, useState } from 'react';
import type { RdpApi } from './rdp-api.js';

/** How often a live session asks again: a recording can break mid-session (disk full). */
export const RECORDING_STATUS_POLL_MS = 5_000;

/**
 * Why the session is not being recorded, in the bastion's words, or undefined while it is (or recording is
 * off on this bastion: no message). RDP has no channel of ours inside the session, so the page asks
 * POST /api/rdp/status with the token it connected with (design 0006): at once when the session is
 * connected, then every few seconds while it lives, and no more once it is told (it never becomes recorded
 * again). A failed request is simply asked again at the next tick. The message stays after the session
 * ends, until the next connect (a new token).
 */
export function useRecordingStatus(rdp: Pick<RdpApi, 'status'>, token: string | undefined, live: boolean): string | undefined {
  const [message, setMessage] = useState<string | undefined>();
  useEffect(() => setMessage(undefined), [token]);
  useEffect(() => {
    if (!token || !live || message) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = () => {
      rdp.status(token).then(
        (s) => {
          if (stopped) return;
          if (!s.recorded && s.message) setMessage(s.message);
          else timer = setTimeout(ask, RECORDING_STATUS_POLL_MS);
        },
        () => void (stopped || (timer = setTimeout(ask, RECORDING_STATUS_POLL_MS))),
      );
    };
    ask();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [rdp, token, live, message]);
  return message;
}

/**
 * A session refused or ended by the bastion may have been so because it could not be recorded
 * (recordings.onFailure: disconnect); the relay's error carries only numbers, so ask. Undefined otherwise.
 */
export async function recordingRefusal(rdp: Pick<RdpApi, 'status'>, token: string): Promise<string | undefined> {
  try {
    const s = await rdp.status(token);
    return s.ended && s.message ? s.message : undefined;
  } catch {
    return undefined;
  }
}
