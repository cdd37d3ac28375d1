import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({ page: { maxWidth: '640px', margin: '0 auto', padding: tokens.spacingVerticalXXXL } });

/** Shown when the server could not be asked who we are (down, unreachable, 5xx). */
export function UnavailableScreen({ message, retry }: { message: string; retry(): void }) {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <MessageBar intent="error" role="alert" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Bastion is not available</MessageBarTitle>
          {message}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={retry}>Retry</Button>
        </MessageBarActions>
      </MessageBar>
    </main>
  );
}
