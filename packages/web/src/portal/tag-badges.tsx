import { Badge, makeStyles, tokens } from '@fluentui/react-components';
import { NONE, tagLabels } from '../format/resource-format.js';

const useStyles = makeStyles({ list: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS } });

/** Resource tags as small badges ("role: ssh"), or "—" when there are none. */
export function TagBadges({ tags }: { tags: Record<string, string> | undefined | null }) {
  const styles = useStyles();
  const labels = tagLabels(tags);
  if (labels.length === 0) return <>{NONE}</>;
  return (
    <span className={styles.list}>
      {labels.map((label) => (
        <Badge key={label} appearance="tint" color="informative" shape="rounded">
          {label}
        </Badge>
      ))}
    </span>
  );
}
