import type { ConnectRequest } from '../connect/connect-request.js';
import { RdpSessionView } from '../rdp/rdp-session-view.js';

/** Browser RDP session (issue 5): the IronRDP client, which loads its WASM only once mounted. */
export default function RdpSession({ request }: { request: Extract<ConnectRequest, { protocol: 'rdp' }> }) {
  return <RdpSessionView vmId={request.vmId} vmName={request.vmName} username={request.username} password={request.password} port={request.port} />;
}
