/**
 * `ws` (a dependency of @fastify/websocket) ships without types: the few members the integration tests
 * use, and the class itself, loaded at run time.
 */
export interface WsClient {
  readyState: number;
  on(event: 'message', cb: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', cb: (code: number) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  on(event: 'unexpected-response', cb: (req: unknown, res: { statusCode?: number }) => void): void;
  on(event: 'open', cb: () => void): void;
  send(data: string | Uint8Array): void;
  close(): void;
  terminate(): void;
}
export type WsCtor = new (url: string, opts: object) => WsClient;

/** The `ws` package's WebSocket class. */
export const loadWebSocket = async (): Promise<WsCtor> => ((await import('ws' as string)) as { WebSocket: WsCtor }).WebSocket;
