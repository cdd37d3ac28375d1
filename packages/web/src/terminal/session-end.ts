import type { SshSocketEnd } from './ssh-socket.js';

/** How the status line shows an ended session. */
export interface EndDescription {
  /** The user or the shell ended it, as intended: said calmly, not as an error. */
  calm: boolean;
  /** "Session ended" or "Disconnected". */
  title: string;
  /** The server's words, when they add something (an exit status other than 0, the error). */
  detail?: string;
}

/** A normal `exit` (status 0) and the user's own Disconnect are no failures; anything else says why in red. */
export function describeEnd(end: SshSocketEnd): EndDescription {
  if (end.reason === 'exited') {
    const plain = !/status|signal/.test(end.message) || /with status 0\b/.test(end.message);
    return plain ? { calm: true, title: 'Session ended' } : { calm: true, title: 'Session ended', detail: end.message };
  }
  if (end.reason === 'client_closed') return { calm: true, title: 'Session ended', detail: end.message };
  return { calm: false, title: 'Disconnected', detail: end.message };
}
