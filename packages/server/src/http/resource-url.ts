import type { FastifyRequest } from 'fastify';
import { validationError } from '../errors.js';

/**
 * The resource ID a request names (the ARM convention: the route's path after `/api`), minus an action
 * suffix such as `/bastionConnectCheck`. Built from the matched route's pattern and the router's decoded
 * parameters, never from the raw URL (issue #12): what is authorized is exactly what the handler acts on,
 * however the URL was spelled. A parameter holding '/' could smuggle a deeper ID into a shallower rule
 * (a VM checked as a resource group), so it is refused; no name may contain one.
 */
export const resourceIdFromUrl = (request: FastifyRequest, suffix = ''): string => {
  const pattern = request.routeOptions.url;
  if (!pattern?.startsWith('/api/')) throw new Error(`resourceIdFromUrl: route ${pattern ?? '(none)'} is not an /api route`);
  const params = (request.params ?? {}) as Record<string, unknown>;
  const path = pattern
    .slice('/api'.length)
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment;
      const value = params[segment.slice(1)];
      if (typeof value !== 'string' || value === '') throw validationError(`The URL is not valid: ${segment.slice(1)} is empty.`);
      if (value.includes('/') || value.includes('\\')) throw validationError(`The URL is not valid: ${segment.slice(1)} holds '/' or '\\', which no name may contain.`);
      return value;
    })
    .join('/');
  return suffix && path.endsWith(suffix) ? path.slice(0, -suffix.length) : path;
};
