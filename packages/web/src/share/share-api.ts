/**
 * The visitor's side of a shareable link (design 0007): no portal account, no session cookie, no CSRF token.
 * The link's secret (in the page URL) is the only credential; it is sent only to this bastion's API.
 */

export interface SharedVm {
  vm: { name: string; osType: string };
  bastion: { name: string };
  expiresAt: string | null;
  protocols: string[];
}

export type ShareAuth = { type: 'password'; password: string } | { type: 'privateKey'; privateKey: string; passphrase?: string };

/** The secret from `/share/<secret>`, or undefined when the path is not a share link. */
export function shareSecretFromPath(pathname: string): string | undefined {
  const m = /^\/share\/([A-Za-z0-9_-]{20,64})\/?$/.exec(pathname);
  return m?.[1];
}

/** A refusal with the server's sentence; `gone` for a revoked or expired link (HTTP 410). */
export class ShareError extends Error {
  constructor(message: string, readonly gone: boolean) {
    super(message);
    this.name = 'ShareError';
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'omit', headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) } });
  } catch {
    throw new ShareError('The bastion cannot be reached. Check your network and try again.', false);
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new ShareError(body?.error?.message ?? `The bastion answered ${res.status}.`, res.status === 410);
  return body as T;
}

export const getSharedVm = (secret: string): Promise<SharedVm> => call(`/api/share/${encodeURIComponent(secret)}`);

export const shareSshTicket = (secret: string, body: { username: string; port: number; auth: ShareAuth }): Promise<{ url: string; /** false: the bastion has disableCopyPaste */ clipboard?: boolean }> =>
  call(`/api/share/${encodeURIComponent(secret)}/ssh`, { method: 'POST', body: JSON.stringify(body) });
