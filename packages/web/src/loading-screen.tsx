import { Spinner, makeStyles } from '@fluentui/react-components';

const useStyles = makeStyles({ page: { minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' } });

/** Shown while `/api/auth/me` answers. */
export function LoadingScreen() {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Spinner label="Loading Bastion…" />
    </main>
  );
}
