import { makeStyles, tokens } from '@fluentui/react-components';

/** The status bar above a session (SSH terminal, RDP desktop): one look for both. */
export const useSessionBarStyles = makeStyles({
  bar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  status: { display: 'flex', alignItems: 'center', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, minWidth: 0 },
  ended: { color: tokens.colorPaletteRedForeground1 },
  connected: { color: tokens.colorPaletteGreenForeground1 },
});
