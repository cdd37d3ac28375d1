import type { ConnectRequest } from '../connect/connect-request.js';
import { RdpSessionView } from '../rdp/rdp-session-view.js';

/** A browser RDP session filling the tab (lazy: the IronRDP client and its WebAssembly load only here). */
export default function RdpSession({ request }: { request: Extract<ConnectRequest, { protocol: 'rdp' }> }) {
  return <RdpSessionView vmId={request.vmId} vmName={request.vmName} username={request.username} password={request.password} port={request.port} />;
}
