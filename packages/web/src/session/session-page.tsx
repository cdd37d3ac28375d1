import { Button, MessageBar, MessageBarActions, MessageBarBody, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { lazy, Suspense, useEffect, useState } from 'react';
import { requestFromOpener } from '../connect/connect-handover.js';
import { pendingConnections, type ConnectRequest } from '../connect/connect-request.js';
import { DEFAULT_PORTAL_PATH } from '../routing/routes.js';
import { ReloadReconnect } from './reload-reconnect.js';
import { loadSettings, saveSettings, type SessionSettings } from './session-settings.js';
import { SshSession } from './ssh-session.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100vh', backgroundColor: '#1e1e1e' },
  message: { padding: tokens.spacingHorizontalXXL, backgroundColor: tokens.colorNeutralBackground2, height: '100vh', boxSizing: 'border-box' },
});

/** Requests already handed to a session page of this tab, so a re-render (or StrictMode) finds them again. */
const handedOver = new Map<string, ConnectRequest>();

async function resolveRequest(id: string): Promise<ConnectRequest | undefined> {
  const known = handedOver.get(id) ?? pendingConnections.take(id) ?? (await requestFromOpener(id));
  if (known) handedOver.set(id, known);
  return known;
}

const RdpSession = lazy(() => import('./rdp-session.js'));

type Load = { state: 'loading' } | { state: 'ready'; request: ConnectRequest } | { state: 'reloaded'; settings: SessionSettings } | { state: 'missing' };

/** After a reload the request is gone from memory; its non-secret settings may still be in this tab's storage. */
function afterReload(id: string): Load {
  const settings = loadSettings(sessionStorage, id);
  return settings ? { state: 'reloaded', settings } : { state: 'missing' };
}

/**
 * `/session/<id>`: one SSH or RDP session filling the tab (opened by the Connect form in this tab or a
 * new one). The connection details are held in memory only; after a reload the tab's non-secret settings
 * offer Reconnect (asking for the password or key again); a bookmarked address has none, and says to
 * start again from the portal.
 */
export function SessionPage({ id }: { id: string }) {
  const styles = useStyles();
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    void resolveRequest(id).then((request) => current && setLoad(request ? { state: 'ready', request } : afterReload(id)));
    return () => {
      current = false;
    };
  }, [id]);

  useEffect(() => {
    if (load.state !== 'ready') return;
    document.title = `${load.request.vmName} - Bastion`;
    saveSettings(sessionStorage, id, load.request); // never the secret: see session-settings.ts
  }, [id, load]);

  if (load.state === 'loading') return <Spinner className={styles.message} label="Opening the session…" />;
  if (load.state === 'reloaded')
    return (
      <div className={styles.message}>
        <ReloadReconnect
          settings={load.settings}
          onConnect={(request) => {
            handedOver.set(id, request);
            setLoad({ state: 'ready', request });
          }}
        />
      </div>
    );
  if (load.state === 'missing')
    return (
      <div className={styles.message}>
        <MessageBar intent="warning" role="alert">
          <MessageBarBody>This session’s connection details are no longer here (the page was reloaded or the portal tab was closed). Connect again from the portal.</MessageBarBody>
          <MessageBarActions>
            <Button as="a" href={DEFAULT_PORTAL_PATH}>
              Open the portal
            </Button>
          </MessageBarActions>
        </MessageBar>
      </div>
    );
  const { request } = load;
  return (
    <div className={styles.root}>
      {request.protocol === 'ssh' ? (
        <SshSession request={request} />
      ) : (
        <Suspense fallback={<Spinner className={styles.message} label="Loading the remote desktop client…" />}>
          <RdpSession request={request} />
        </Suspense>
      )}
    </div>
  );
}
