import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import type { ConnectCheck } from '../../../../protocol/src/api-types.js';
import { connectCheckProblems } from '../../access/connect-check.js';
import type { AsyncState } from '../use-async.js';

const useStyles = makeStyles({ list: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalXL } });

/** Accessible name of the connect check's message bar. */
export const CONNECT_CHECK_LABEL = 'Connect check';

/** MessageBar names itself after its title (aria-labelledby); the stable name wins here. */
const NAMED = { 'aria-label': CONNECT_CHECK_LABEL, 'aria-labelledby': undefined } as const;

/**
 * The result of `bastionConnectCheck` when it stands in the way: a warning listing each missing role as
 * the server words it ("You need Reader on networkInterfaces/web01-nic"), or the error. Nothing when allowed.
 */
export function ConnectCheckBar({ check }: { check: AsyncState<ConnectCheck> }) {
  const styles = useStyles();
  if (check.status === 'loading') return <Spinner label="Checking access…" labelPosition="after" size="extra-small" />;
  if (check.status === 'error')
    return (
      <MessageBar intent="error" role="alert" {...NAMED}>
        <MessageBarBody>
          <MessageBarTitle>Could not check Bastion access.</MessageBarTitle> {check.message}
        </MessageBarBody>
      </MessageBar>
    );
  const problems = connectCheckProblems(check.data);
  if (problems.length === 0) return null;
  return (
    <MessageBar intent="warning" role="alert" {...NAMED} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>You cannot connect to this virtual machine using Bastion.</MessageBarTitle>
        <ul className={styles.list}>
          {problems.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      </MessageBarBody>
    </MessageBar>
  );
}
