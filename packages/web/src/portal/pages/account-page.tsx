import { Title2 } from '@fluentui/react-components';
import { useEffect } from 'react';
import { usePortalSession } from '../../auth/session-context.js';
import { ApiTokensPanel } from '../account/api-tokens-panel.js';
import { ChangePasswordForm } from '../account/change-password-form.js';
import { usePageStyles } from '../page-styles.js';

/** "My account" (from the user menu): change my password, and the API tokens I hold. */
export function AccountPage() {
  const styles = usePageStyles();
  const { user } = usePortalSession();
  useEffect(() => {
    document.title = 'My account - Bastion';
  }, []);
  return (
    <section className={styles.page} aria-labelledby="page-title">
      <Title2 as="h1" id="page-title">
        My account
      </Title2>
      <span>
        Signed in as {user.username} ({user.displayName})
      </span>
      <ChangePasswordForm />
      <ApiTokensPanel />
    </section>
  );
}
