import type { FastifyRequest } from 'fastify';

/**
 * The resource ID a request names: its URL path after `/api` (the ARM convention), minus an action
 * suffix such as `/bastionConnectCheck`. Encoded slashes are refused earlier (plugins/authorization.ts).
 */
export const resourceIdFromUrl = (request: FastifyRequest, suffix = ''): string => {
  const path = decodeURIComponent(request.url.split('?')[0]!.slice('/api'.length));
  return suffix && path.endsWith(suffix) ? path.slice(0, -suffix.length) : path;
};
