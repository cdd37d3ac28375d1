import type { FastifyInstance, RouteOptions } from 'fastify';
import { BastionError } from '../errors.js';

/**
 * A WebSocket route reached by a plain HTTP request (no Upgrade) that passed every check: @fastify/websocket
 * answers it with a bare 404 and no body, the only error outside the catalogue's shape (found by the HTTP
 * fuzz suite). Registered before @fastify/websocket, this onRoute hook runs first and hands the plugin the
 * route's socket handler as `wsHandler` plus an ordinary handler that throws, so the error handler answers
 * `{ error: { code: 'BST_ERR_NOT_FOUND', … } }` with the same status as before.
 */
export function answerPlainHttpOnWebSocketRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.websocket) return;
    const socketHandler = route.handler;
    delete route.websocket;
    // With `websocket: true` the plugin itself treats `handler` as the socket handler: the same function.
    route.wsHandler = socketHandler as unknown as NonNullable<RouteOptions['wsHandler']>;
    // What the plugin does for `websocket: true` routes: they are not part of the OpenAPI document.
    route.schema = { ...(route.schema ?? {}), hide: true };
    route.handler = async (request) => {
      throw new BastionError('BST_ERR_NOT_FOUND', `${request.method} ${request.url.split('?')[0]} is a WebSocket endpoint: open it with a WebSocket upgrade.`);
    };
  });
}
