import { Button, Input, Text, Tooltip, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownRegular, ArrowUpRegular, DismissRegular } from '@fluentui/react-icons';
import type { SearchAddon } from '@xterm/addon-search';
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';

const useStyles = makeStyles({
  search: {
    position: 'absolute',
    top: tokens.spacingVerticalS,
    right: tokens.spacingHorizontalXL,
    zIndex: 10,
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
    padding: tokens.spacingHorizontalXS,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow8,
  },
});

/** "Find in terminal" (Ctrl+Shift+F): incremental search over the scrollback; Enter / Shift+Enter / Escape. */
export function TerminalSearchBar({ search, onClose }: { search: SearchAddon | null; onClose(): void }) {
  const styles = useStyles();
  const [query, setQuery] = useState('');
  const [noMatch, setNoMatch] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);

  const close = () => {
    search?.clearDecorations();
    onClose();
  };
  const find = (direction: 'next' | 'previous') => {
    if (!search || !query) return;
    setNoMatch(!(direction === 'next' ? search.findNext(query) : search.findPrevious(query)));
  };
  const onKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      find(event.shiftKey ? 'previous' : 'next');
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  };

  return (
    <div className={styles.search} role="search" aria-label="Find in terminal">
      <Input
        ref={inputRef}
        size="small"
        aria-label="Find in terminal"
        placeholder="Find"
        value={query}
        aria-invalid={noMatch || undefined}
        onChange={(_e, data) => {
          setQuery(data.value);
          const found = data.value ? search?.findNext(data.value, { incremental: true }) : true;
          setNoMatch(found === false);
        }}
        onKeyDown={onKeyDown}
      />
      {noMatch && <Text size={200}>No matches</Text>}
      <Tooltip content="Previous match (Shift+Enter)" relationship="label">
        <Button size="small" appearance="subtle" icon={<ArrowUpRegular />} onClick={() => find('previous')} />
      </Tooltip>
      <Tooltip content="Next match (Enter)" relationship="label">
        <Button size="small" appearance="subtle" icon={<ArrowDownRegular />} onClick={() => find('next')} />
      </Tooltip>
      <Tooltip content="Close search (Escape)" relationship="label">
        <Button size="small" appearance="subtle" icon={<DismissRegular />} onClick={close} />
      </Tooltip>
    </div>
  );
}
