import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response, on a par with helmet's defaults (written out here: a dozen constant headers
 * do not need a dependency, and the CSP and Permissions-Policy are the portal's own anyway).
 *
 * CSP: scripts only from this origin; 'wasm-unsafe-eval' lets the RDP client (IronRDP) and the
 * asciinema player compile their WebAssembly without allowing eval(). Fluent UI and xterm inject styles at
 * run time, hence 'unsafe-inline' for styles only. Terminals, desktops and API calls all go to this
 * origin ('self' covers wss: to it). No plugins, no inline event handlers, no <base> tricks, no framing.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  'upgrade-insecure-requests',
].join('; ');

/**
 * Powerful browser features the portal never uses are off for it and anything it could embed. Kept:
 * the clipboard (copy/paste between the browser and SSH/RDP sessions) and fullscreen (the RDP desktop),
 * for this origin only. Only features Chromium knows are listed: an unknown one is a console error.
 */
const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'bluetooth=()',
  'camera=()',
  'display-capture=()',
  'encrypted-media=()',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'idle-detection=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'picture-in-picture=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'serial=()',
  'usb=()',
  'xr-spatial-tracking=()',
  'clipboard-read=(self)',
  'clipboard-write=(self)',
  'fullscreen=(self)',
].join(', ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // No includeSubDomains (helmet sets it): the bastion cannot know what else is served under its host
  // name, and forcing HTTPS on all of it is the operator's call, not the bastion's.
  'Strict-Transport-Security': 'max-age=31536000',
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  // Old browsers that ignore frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Another site's window cannot keep a handle on the portal's (and vice versa), nor load its responses.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Permissions-Policy': PERMISSIONS_POLICY,
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Permitted-Cross-Domain-Policies': 'none',
  // The legacy XSS auditor caused leaks of its own; helmet turns it off too.
  'X-XSS-Protection': '0',
};

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
