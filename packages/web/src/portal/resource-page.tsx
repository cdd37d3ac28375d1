import { Button, MessageBar, MessageBarActions, MessageBarBody, Spinner, Text, Title2, Toolbar, ToolbarButton, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowClockwise20Regular } from '@fluentui/react-icons';
import { useEffect, type ReactNode } from 'react';
import { ResourceTable, type ResourceTableProps } from './resource-table.js';
import type { AsyncState } from './use-async.js';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}` },
  toolbar: { paddingLeft: 0, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  empty: { padding: `${tokens.spacingVerticalXXL} 0`, color: tokens.colorNeutralForeground3 },
});

export interface ResourcePageProps<T> extends Omit<ResourceTableProps<T>, 'items' | 'label'> {
  /** Page heading (h1), browser tab title and the table's accessible name. */
  title: string;
  data: AsyncState<T[]> & { reload(): void };
  /** Shown instead of the table when there is nothing to list. */
  emptyText: string;
  /** More command-bar buttons after Refresh (e.g. the Sessions page's Disconnect). */
  commands?: ReactNode;
  /** Shown between the command bar and the table (e.g. the outcome of a command). */
  banner?: ReactNode;
}

/** A portal page: heading, a command bar with Refresh, then a spinner, an error, an empty state or the table. */
export function ResourcePage<T>({ title, data, emptyText, commands, banner, ...table }: ResourcePageProps<T>) {
  const styles = useStyles();
  useEffect(() => {
    document.title = `${title} - Bastion`;
  }, [title]);

  return (
    <section className={styles.page} aria-labelledby="page-title">
      <Title2 as="h1" id="page-title">
        {title}
      </Title2>
      <Toolbar className={styles.toolbar} aria-label="Commands">
        <ToolbarButton icon={<ArrowClockwise20Regular />} onClick={data.reload} disabled={data.status === 'loading'}>
          Refresh
        </ToolbarButton>
        {commands}
      </Toolbar>
      {banner}
      {data.status === 'loading' ? <Spinner label="Loading…" labelPosition="after" size="small" /> : null}
      {data.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{data.message}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={data.reload}>Retry</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {data.status === 'ready' && data.data.length === 0 ? <Text className={styles.empty}>{emptyText}</Text> : null}
      {data.status === 'ready' && data.data.length > 0 ? <ResourceTable label={title} items={data.data} {...table} /> : null}
    </section>
  );
}
