import { Button, Field, Input, Select, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { VirtualMachine } from '../../../../protocol/src/api-types.js';
import { NO_FILTERS, type AuditFilters } from './audit-filters.js';

const useStyles = makeStyles({
  // A grid of equal fields that reflows by width (one column on a phone), the buttons on the last row's end.
  form: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))',
    alignItems: 'end',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalS,
    maxWidth: '1200px',
  },
  narrow: {},
  // A datetime-local input is wider than its grid cell by default: it takes the cell's width instead.
  input: { minWidth: 0, width: '100%' },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalS },
});

export interface AuditFilterBarProps {
  applied: AuditFilters;
  vms: readonly VirtualMachine[];
  /** Protocol applies to connection records only. */
  showProtocol: boolean;
  apply(filters: AuditFilters): void;
}

/** The filters of the Audit log page: edited here, applied (and so loaded and exported) on "Apply". */
export function AuditFilterBar({ applied, vms, showProtocol, apply }: AuditFilterBarProps) {
  const styles = useStyles();
  const [draft, setDraft] = useState<AuditFilters>(applied);
  const set = <K extends keyof AuditFilters>(key: K, value: AuditFilters[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };
  return (
    <form className={styles.form} onSubmit={submit} aria-label="Audit log filters">
      <Field label="User">
        <Input value={draft.user} onChange={(_, d) => set('user', d.value)} placeholder="Any user" />
      </Field>
      <Field label="VM">
        <Select value={draft.vm} onChange={(_, d) => set('vm', d.value)}>
          <option value="">Any VM</option>
          {vms.map((vm) => (
            <option key={vm.id} value={vm.id}>
              {vm.name}
            </option>
          ))}
        </Select>
      </Field>
      {showProtocol && (
        <Field label="Protocol" className={styles.narrow}>
          <Select value={draft.protocol} onChange={(_, d) => set('protocol', d.value as AuditFilters['protocol'])}>
            <option value="">Any</option>
            <option value="ssh">SSH</option>
            <option value="rdp">RDP</option>
          </Select>
        </Field>
      )}
      <Field label="Outcome" className={styles.narrow}>
        <Select value={draft.outcome} onChange={(_, d) => set('outcome', d.value as AuditFilters['outcome'])}>
          <option value="">Any</option>
          <option value="succeeded">Succeeded</option>
          <option value="failed">Failed</option>
        </Select>
      </Field>
      <Field label="From">
        <Input className={styles.input} type="datetime-local" value={draft.since} onChange={(_, d) => set('since', d.value)} />
      </Field>
      <Field label="To">
        <Input className={styles.input} type="datetime-local" value={draft.until} onChange={(_, d) => set('until', d.value)} />
      </Field>
      <div className={styles.actions}>
        <Button appearance="primary" type="submit">
          Apply
        </Button>
        <Button
          onClick={() => {
            setDraft(NO_FILTERS);
            apply(NO_FILTERS);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
