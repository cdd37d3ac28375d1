import { Button, Field, Input, Select, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { Dismiss12Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { User } from '../../../../protocol/src/api-types.js';
import type { Group } from '../../api/admin-api.js';
import { useConfirm } from '../confirm-dialog.js';
import { useAdminApi } from '../use-admin-api.js';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalXXL} ${tokens.spacingVerticalXL}` },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalM, alignItems: 'flex-end', flexWrap: 'wrap' },
  members: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS, alignItems: 'center' },
});

export interface GroupsPanelProps {
  groups: Group[];
  users: User[];
  /** Runs a change; the page shows its outcome (a refusal such as the last Owner's) and reloads. */
  run(change: () => Promise<unknown>, done: string): Promise<void>;
}

/** Groups: create and delete a group, add a member, remove one (removals and deletes are confirmed). */
export function GroupsPanel({ groups, users, run }: GroupsPanelProps) {
  const styles = useStyles();
  const admin = useAdminApi();
  const { confirm, dialog } = useConfirm();
  const [newGroup, setNewGroup] = useState('');
  const [group, setGroup] = useState('');
  const [member, setMember] = useState('');
  const target = group || groups[0]?.name || '';
  const candidate = member || users[0]?.username || '';

  const removeMember = async (g: Group, username: string): Promise<void> => {
    if (await confirm({ title: 'Remove group member', message: `Remove ${username} from ${g.name}? They lose the roles the group holds.`, confirmLabel: 'Remove' }))
      await run(() => admin.setMember(g.name, username, false), `${username} removed from ${g.name}.`);
  };
  const deleteGroup = async (g: Group): Promise<void> => {
    if (await confirm({ title: 'Delete group', message: `Delete ${g.name}? Its members lose the roles assigned to it. This cannot be undone.`, confirmLabel: 'Delete' }))
      await run(() => admin.deleteGroup(g.name), `Group ${g.name} deleted.`);
  };

  return (
    <section className={styles.panel} aria-labelledby="groups-title">
      {dialog}
      <Subtitle1 as="h2" id="groups-title">
        Groups
      </Subtitle1>
      <div className={styles.row}>
        <Field label="New group name">
          <Input value={newGroup} onChange={(_e, d) => setNewGroup(d.value)} />
        </Field>
        <Button disabled={!newGroup.trim()} onClick={() => void run(() => admin.createGroup(newGroup.trim()), `Group ${newGroup.trim()} created.`).then(() => setNewGroup(''))}>
          Create group
        </Button>
      </div>
      {groups.length === 0 ? (
        <Text>No groups.</Text>
      ) : (
        <>
          <div className={styles.row}>
            <Field label="Group">
              <Select value={target} onChange={(_e, d) => setGroup(d.value)}>
                {groups.map((g) => (
                  <option key={g.id}>{g.name}</option>
                ))}
              </Select>
            </Field>
            <Field label="User to add">
              <Select value={candidate} onChange={(_e, d) => setMember(d.value)}>
                {users.map((u) => (
                  <option key={u.id}>{u.username}</option>
                ))}
              </Select>
            </Field>
            <Button appearance="primary" disabled={!target || !candidate} onClick={() => void run(() => admin.setMember(target, candidate, true), `${candidate} added to ${target}.`)}>
              Add member
            </Button>
          </div>
          <Table aria-label="Groups" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Members</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {groups.map((g) => (
                <TableRow key={g.id}>
                  <TableCell>{g.name}</TableCell>
                  <TableCell>
                    <span className={styles.members}>
                      {g.members.length === 0 ? 'No members' : null}
                      {g.members.map((m) => (
                        <Button key={m} size="small" appearance="subtle" icon={<Dismiss12Regular />} iconPosition="after" aria-label={`Remove ${m} from ${g.name}`} onClick={() => void removeMember(g, m)}>
                          {m}
                        </Button>
                      ))}
                    </span>
                  </TableCell>
                  <TableCell>
                    <Button size="small" aria-label={`Delete group ${g.name}`} onClick={() => void deleteGroup(g)}>
                      Delete
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </section>
  );
}
