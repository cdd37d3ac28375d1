import { MessageBar, MessageBarBody, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { Fragment, type ReactNode } from 'react';
import type { VirtualMachine } from '../../../../protocol/src/api-types.js';
import { NONE, joinOrNone, nameFromId, osTypeLabel } from '../../format/resource-format.js';
import { TagBadges } from '../tag-badges.js';
import type { AsyncState } from '../use-async.js';

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  list: { display: 'grid', gridTemplateColumns: 'minmax(140px, max-content) 1fr', columnGap: tokens.spacingHorizontalXXL, rowGap: tokens.spacingVerticalS, margin: `${tokens.spacingVerticalS} 0 0` },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
});

/** The Essentials of a VM as a description list: resource group, OS type, private IP, NIC, tags, bastion. */
export function VmEssentials({ vm, bastionHostId }: { vm: AsyncState<VirtualMachine>; bastionHostId: string | null }) {
  const styles = useStyles();
  if (vm.status === 'loading') return <Spinner label="Loading…" labelPosition="after" size="small" />;
  if (vm.status === 'error')
    return (
      <MessageBar intent="error" role="alert">
        <MessageBarBody>{vm.message}</MessageBarBody>
      </MessageBar>
    );
  const { data } = vm;
  const nics = data.properties.networkProfile?.networkInterfaces ?? [];
  const rows: Array<[string, ReactNode]> = [
    ['Resource group', data.resourceGroup ?? NONE],
    ['OS type', osTypeLabel(data.properties.osType)],
    ['Private IP address', data.properties.privateIPAddress ?? NONE],
    ['Network interface', joinOrNone(nics.map((n) => nameFromId(n.id)))],
    ['Location', data.location ?? NONE],
    ['Bastion host', nameFromId(bastionHostId)],
    ['Tags', <TagBadges tags={data.tags} />],
  ];
  return (
    <section className={styles.card} aria-labelledby="vm-essentials">
      <Subtitle2 as="h2" id="vm-essentials">
        Essentials
      </Subtitle2>
      <dl className={styles.list}>
        {rows.map(([term, value]) => (
          <Fragment key={term}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}
