import { makeStyles, tokens } from '@fluentui/react-components';

/** Layout shared by the portal's detail pages (VM, Access control): padded column, command bar, empty text. */
export const usePageStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}` },
  panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  toolbar: { paddingLeft: 0, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  empty: { padding: `${tokens.spacingVerticalXXL} 0`, color: tokens.colorNeutralForeground3 },
  narrowField: { maxWidth: '420px' },
});
