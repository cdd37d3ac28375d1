import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, DialogTrigger, Text, makeStyles, tokens } from '@fluentui/react-components';
import { nameFromId } from '../../format/resource-format.js';

const useStyles = makeStyles({ content: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS } });

/** "Connect using Bastion": which bastion host would carry the session. Browser SSH/RDP sessions come later. */
export function ConnectDialog({ bastionHostId, close }: { bastionHostId: string | null; close(): void }) {
  const styles = useStyles();
  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : close())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Connect using Bastion</DialogTitle>
          <DialogContent className={styles.content}>
            <Text>
              Bastion host: <strong>{nameFromId(bastionHostId)}</strong>
            </Text>
            <Text>Browser sessions arrive with the next release</Text>
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button appearance="primary">Close</Button>
            </DialogTrigger>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
