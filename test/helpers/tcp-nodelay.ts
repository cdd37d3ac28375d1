import { join } from 'node:path';
import { REPO_ROOT, run } from './testbed.js';

export interface TcpSocketState {
  /** "10.90.0.4:51234" */
  local: string;
  remote: string;
  /** TCP_NODELAY as the kernel has it for this socket (getsockopt), not as Node remembers it. */
  nodelay: boolean;
}

/**
 * Every established TCP socket of process `pid` with its TCP_NODELAY flag, read from the kernel by
 * tcp_nodelay.py (pidfd_getfd + getsockopt; root). Lets a test assert on the socket a session really uses,
 * wherever in the stack it was created (ssh2, Node's TLS server, ws) — no timing involved.
 */
export async function tcpSockets(pid: number = process.pid): Promise<TcpSocketState[]> {
  const r = await run('python3', [join(REPO_ROOT, 'test/helpers/tcp_nodelay.py'), String(pid)], { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`tcp_nodelay.py ${pid} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as TcpSocketState[];
}
