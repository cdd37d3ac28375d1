import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Input, Text, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  value: { fontFamily: tokens.fontFamilyMonospace },
});

/**
 * The one-time password of a reset, shown once: the server keeps only its hash, so closing this dialog
 * is the last chance to copy it. The user must choose a new password when they sign in with it.
 */
export function OneTimePasswordDialog({ username, password, close }: { username: string; password: string; close(): void }) {
  const styles = useStyles();
  return (
    <Dialog open modalType="alert" onOpenChange={(_e, d) => !d.open && close()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Password reset</DialogTitle>
          <DialogContent className={styles.content}>
            <Text>
              One-time password for {username}. Copy it now: it is shown only once. {username} must set a new password at the next sign-in; their current sign-ins have ended.
            </Text>
            <Input className={styles.value} readOnly value={password} aria-label="One-time password" onFocus={(e) => e.target.select()} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => void navigator.clipboard.writeText(password).catch(() => undefined)}>Copy</Button>
            <Button appearance="primary" onClick={close}>
              Done
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
