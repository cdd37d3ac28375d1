import { makeStyles, tokens } from '@fluentui/react-components';
import type { MouseEvent } from 'react';

const useStyles = makeStyles({
  // Off screen until focused: the first Tab of the page shows it, sighted keyboard users see where it goes.
  link: {
    position: 'absolute',
    left: '-10000px',
    top: tokens.spacingVerticalS,
    zIndex: 1000,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorBrandForeground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow16,
    ':focus': { left: tokens.spacingHorizontalS, outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
});

/** "Skip to main content": the first stop of Tab, past the top bar and the navigation. */
export function SkipLink({ target }: { target: string }) {
  const styles = useStyles();
  // Focus moves by hand: a #hash would add a history entry the portal's router would read as a page.
  const skip = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    document.getElementById(target)?.focus();
  };
  return (
    <a className={styles.link} href={`#${target}`} onClick={skip}>
      Skip to main content
    </a>
  );
}
