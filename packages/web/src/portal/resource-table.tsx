import {
  Caption1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  createTableColumn,
  makeStyles,
  tokens,
  useTableColumnSizing_unstable,
  useTableFeatures,
} from '@fluentui/react-components';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  label: string;
  render(item: T): ReactNode;
  /** Makes the column sortable by this value. */
  sortValue?(item: T): string | number;
  /** CSS width, e.g. '160px'. */
  width?: string;
}

export interface ResourceTableProps<T> {
  /** Accessible name of the table (e.g. "Virtual machines"). */
  label: string;
  columns: readonly Column<T>[];
  items: readonly T[];
  rowKey(item: T): string;
  /** Column sorted ascending at first; unset keeps the server's order. */
  initialSortKey?: string;
  /** Columns get a drag handle on their right edge (and keyboard resizing from the header's menu key). */
  resizableColumns?: boolean;
}

type Sort = { key: string; direction: 'ascending' | 'descending' } | undefined;

const useStyles = makeStyles({
  scroller: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  table: { minWidth: '640px' },
  hint: { display: 'block', color: tokens.colorNeutralForeground3, paddingBottom: tokens.spacingVerticalXS },
});

/** Whether the box is narrower than what it holds (a phone): then it scrolls sideways and says so. */
function useOverflowsSideways() {
  const ref = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const measure = () => setOverflows(box.scrollWidth > box.clientWidth + 1);
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
    measure();
    return () => observer.disconnect();
  }, []);
  return { ref, overflows };
}

const compare = (a: string | number, b: string | number): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });

/** A semantic `<table>` (Fluent Table) with click-to-sort headers. */
export function ResourceTable<T>({ label, columns, items, rowKey, initialSortKey, resizableColumns = false }: ResourceTableProps<T>) {
  const styles = useStyles();
  // Fluent's column sizing: the hook always runs (hooks' order), its props are used only when resizable.
  const sizingColumns = useMemo(() => columns.map((c) => createTableColumn<T>({ columnId: c.key })), [columns]);
  const sizingOptions = useMemo(
    () => Object.fromEntries(columns.map((c) => [c.key, { minWidth: 64, idealWidth: c.width ? Number.parseInt(c.width, 10) : 140 }])),
    [columns],
  );
  const { columnSizing_unstable: sizing, tableRef } = useTableFeatures({ columns: sizingColumns, items: [] as T[] }, [
    useTableColumnSizing_unstable({ columnSizingOptions: sizingOptions, autoFitColumns: false }),
  ]);
  const sideways = useOverflowsSideways();
  const [sort, setSort] = useState<Sort>(initialSortKey ? { key: initialSortKey, direction: 'ascending' } : undefined);

  const rows = useMemo(() => {
    const column = columns.find((c) => c.key === sort?.key);
    if (!sort || !column?.sortValue) return items;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    return [...items].sort((a, b) => sign * compare(column.sortValue!(a), column.sortValue!(b)));
  }, [columns, items, sort]);

  const toggle = (key: string) =>
    setSort((s) => (s?.key === key && s.direction === 'ascending' ? { key, direction: 'descending' } : { key, direction: 'ascending' }));

  return (
    <>
      {/* Touch screens show no scroll bar until one swipes: the columns off screen are named, not hidden. */}
      {sideways.overflows && <Caption1 className={styles.hint}>Swipe or scroll sideways to see every column (last: {columns[columns.length - 1]?.label}).</Caption1>}
      <div className={styles.scroller} ref={sideways.ref}>
        <Table aria-label={label} className={styles.table} sortable {...(resizableColumns ? { ref: tableRef, ...sizing.getTableProps() } : {})}>
          <TableHeader>
            <TableRow>
              {columns.map((c) => (
                <TableHeaderCell
                  key={c.key}
                  style={c.width && !resizableColumns ? { width: c.width } : undefined}
                  {...(resizableColumns ? sizing.getTableHeaderCellProps(c.key) : {})}
                  {...(c.sortValue ? { sortDirection: sort?.key === c.key ? sort.direction : undefined, onClick: () => toggle(c.key) } : { sortable: false })}
                >
                  {c.label}
                </TableHeaderCell>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((item) => (
              <TableRow key={rowKey(item)}>
                {columns.map((c) => (
                  <TableCell key={c.key} {...(resizableColumns ? sizing.getTableCellProps(c.key) : {})}>
                    {c.render(item)}
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </>
  );
}
