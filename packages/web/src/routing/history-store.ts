/**
 * The browser location as a tiny store over the History API: `navigate` pushes (or replaces) an entry
 * and tells subscribers; Back/Forward arrive as `popstate`. No router package needed.
 */
type Listener = () => void;

const listeners = new Set<Listener>();

let shownLocation = typeof window === 'undefined' ? '' : `${window.location.pathname}${window.location.search}`;
/** Asked before the page changes (Back/Forward or an own navigation); false keeps the page. */
let leaveGuard: (() => boolean) | null = null;

const notify = (): void => {
  shownLocation = currentLocation();
  for (const listener of listeners) listener();
};

/**
 * A page that must not be left unasked (a live session) sets a guard; `null` removes it. Back and Forward
 * change the URL before `popstate` arrives, so a refusal puts the shown page's URL back.
 */
export function setLeaveGuard(guard: (() => boolean) | null): void {
  leaveGuard = guard;
}

const onPopState = (): void => {
  if (leaveGuard && currentLocation() !== shownLocation && !leaveGuard()) {
    window.history.pushState(null, '', shownLocation);
    return;
  }
  notify();
};

/** Path plus query of the current location, e.g. `/login?next=%2Fportal%2Fusers`. */
export const currentLocation = (): string => `${window.location.pathname}${window.location.search}`;

/** Goes to `to` (same origin, `/…`) without reloading; `replace` keeps the history length unchanged. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentLocation()) return;
  if (leaveGuard && !leaveGuard()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** Subscribes to location changes (own navigations and Back/Forward); returns the unsubscribe function. */
export function subscribeToLocation(listener: Listener): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', onPopState);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', onPopState);
  };
}
