import { createHash } from 'node:crypto';
import type { RdpStatusResponse } from '../../../../protocol/src/rdp-relay.js';

/** What a live RDP session's page may learn, and whose page it is. */
interface Entry {
  userId: string;
  status: RdpStatusResponse;
  timer?: NodeJS.Timeout;
}

/** The handle the relay keeps for one session: it changes the status and forgets it when the session ends. */
export interface RdpSessionStatusHandle {
  /** The session is not being recorded, and why (shown to the user as is). Final: it never becomes true again. */
  notRecorded(message: string, ended: boolean): void;
  /** The session ended: the entry stays LINGER_MS more, so that a page whose session was refused or ended can ask why. */
  close(): void;
}

/** How long an ended session's status can still be read: enough for the page to ask once after the end. */
export const LINGER_MS = 60_000;

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The side channel of a browser RDP session (design 0006, issue 13 finding 7). Inside the session there is
 * only the VM's own protocol, and RDCleanPath's answer has fixed fields, so the page asks the server instead,
 * with the association token it opened the session with. The relay keeps the session's recording status
 * under the token's SHA-256 (the token itself is never stored), bound to the user who redeemed it, for as
 * long as the session lives and a minute after: one small entry per RDP session that reached the VM, live
 * or ended within LINGER_MS (each such session is a connection record), nothing for refused tokens.
 */
export class RdpSessionStatus {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly lingerMs = LINGER_MS) {}

  /** Called by the relay once the token is redeemed and the session is about to relay. */
  open(token: string, userId: string, recorded: boolean): RdpSessionStatusHandle {
    const key = hashOf(token);
    const entry: Entry = { userId, status: { recorded } };
    this.entries.set(key, entry);
    return {
      notRecorded: (message, ended) => {
        entry.status = ended ? { recorded: false, message, ended } : { recorded: false, message };
      },
      close: () => {
        if (entry.timer) return;
        entry.timer = setTimeout(() => this.entries.get(key) === entry && this.entries.delete(key), this.lingerMs);
        entry.timer.unref();
      },
    };
  }

  /** The status of the live session opened with `token`, only for the user it belongs to. */
  get(token: string, userId: string): RdpStatusResponse | undefined {
    const entry = this.entries.get(hashOf(token));
    return entry && entry.userId === userId ? { ...entry.status } : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
  }
}
