import { MessageBar, MessageBarBody, Spinner, Title2 } from '@fluentui/react-components';
import { useEffect } from 'react';
import { ROOT_SCOPE, scopeChainOptions, subscriptionScope } from '../../access/scopes.js';
import { usePortalSession } from '../../auth/session-context.js';
import { navigate } from '../../routing/history-store.js';
import { iamPath } from '../../routing/routes.js';
import { AccessControlPanel } from '../iam/access-control-panel.js';
import { usePageStyles } from '../page-styles.js';
import { useAsync } from '../use-async.js';

const TITLE = 'Access control (IAM)';

/**
 * Access control (IAM) for any scope (`/portal/iam?scope=<id>`); without a scope, the subscription (or
 * the root `/` when there is none). The Scope picker offers the scope and everything above it.
 */
export function AccessControlPage({ scope }: { scope: string | undefined }) {
  const styles = usePageStyles();
  const { api } = usePortalSession();
  useEffect(() => {
    document.title = `${TITLE} - Bastion`;
  }, []);

  // The subscription names it in labels; it is only needed to pick the default scope.
  const subscription = useAsync(async () => (await api.subscriptions())[0], [api]);
  const known = subscription.status === 'ready' ? subscription.data : undefined;
  const defaultScope = subscription.status === 'ready' ? (known ? subscriptionScope(known.subscriptionId) : ROOT_SCOPE) : undefined;
  const current = scope ?? defaultScope;

  return (
    <section className={styles.page} aria-labelledby="page-title">
      <Title2 as="h1" id="page-title">
        {TITLE}
      </Title2>
      {current !== undefined ? (
        <AccessControlPanel
          scope={current}
          scopeOptions={scopeChainOptions(current, known)}
          onScopeChange={(next) => navigate(iamPath(next))}
          subscription={known}
        />
      ) : null}
      {current === undefined && subscription.status === 'loading' ? <Spinner label="Loading…" labelPosition="after" size="small" /> : null}
      {current === undefined && subscription.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{subscription.message}</MessageBarBody>
        </MessageBar>
      ) : null}
    </section>
  );
}
