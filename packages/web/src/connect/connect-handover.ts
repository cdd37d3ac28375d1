import { pendingConnections, sessionPath, type ConnectRequest, type PendingConnections } from './connect-request.js';

/**
 * "Open in new browser tab": the portal tab keeps the request in memory and the new tab asks for it by
 * postMessage, same origin only, from the window it opened. So credentials never travel in a URL, are
 * never written to storage, and a page of another origin cannot ask for them.
 */

const ASK = 'bastion.session.ask';
const GIVE = 'bastion.session.give';

interface AskMessage {
  type: typeof ASK;
  id: string;
}
interface GiveMessage {
  type: typeof GIVE;
  id: string;
  request: ConnectRequest | null;
}

const isAsk = (data: unknown): data is AskMessage =>
  typeof data === 'object' && data !== null && (data as AskMessage).type === ASK && typeof (data as AskMessage).id === 'string';
const isGive = (data: unknown): data is GiveMessage =>
  typeof data === 'object' && data !== null && (data as GiveMessage).type === GIVE && typeof (data as GiveMessage).id === 'string';

const openedTabs = new WeakSet<object>();
let answering = false;

/** Answers the tabs this tab opened; installed once, for the life of the tab. */
function answerOpenedTabs(store: PendingConnections): void {
  if (answering) return;
  answering = true;
  window.addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== window.location.origin || !isAsk(event.data)) return;
    const source = event.source as Window | null;
    if (!source || !openedTabs.has(source)) return;
    const reply: GiveMessage = { type: GIVE, id: event.data.id, request: store.take(event.data.id) ?? null };
    source.postMessage(reply, window.location.origin);
  });
}

/**
 * Opens the session in a new tab. Returns false when the browser blocked the tab (the caller then opens
 * it in this tab instead).
 */
export function openSessionInNewTab(request: ConnectRequest, store: PendingConnections = pendingConnections): boolean {
  answerOpenedTabs(store);
  const id = store.put(request);
  // Not 'noopener': the new tab must be able to ask this one for the request (same origin only).
  const tab = window.open(sessionPath(id), '_blank');
  if (!tab) {
    store.take(id);
    return false;
  }
  openedTabs.add(tab);
  return true;
}

/** In a new session tab: the request from the tab that opened it, or undefined (opener gone, too late). */
export function requestFromOpener(id: string, timeoutMs = 5_000): Promise<ConnectRequest | undefined> {
  const opener = window.opener as Window | null;
  if (!opener) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (request: ConnectRequest | undefined) => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      resolve(request);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== window.location.origin || event.source !== opener || !isGive(event.data) || event.data.id !== id) return;
      done(event.data.request ?? undefined);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    window.addEventListener('message', onMessage);
    try {
      opener.postMessage({ type: ASK, id } satisfies AskMessage, window.location.origin);
    } catch {
      done(undefined);
    }
  });
}
