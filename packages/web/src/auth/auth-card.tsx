import { Card, Subtitle1, Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { ShieldKeyhole24Filled } from '@fluentui/react-icons';
import { useEffect, type ReactNode } from 'react';

const useStyles = makeStyles({
  page: {
    minHeight: '100vh',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    backgroundColor: tokens.colorNeutralBackground2,
    padding: tokens.spacingHorizontalL,
    boxSizing: 'border-box',
  },
  card: { width: '100%', maxWidth: '400px', padding: tokens.spacingHorizontalXXL, rowGap: tokens.spacingVerticalL },
  brand: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS, color: tokens.colorBrandForeground1 },
});

/** The centred card that the sign-in and change-password pages sit in. */
export function AuthCard(props: { title: string; intro?: string; children: ReactNode }) {
  const styles = useStyles();
  useEffect(() => {
    document.title = `${props.title} - Bastion`;
  }, [props.title]);
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <div className={styles.brand}>
          <ShieldKeyhole24Filled aria-hidden />
          <Subtitle1>Bastion</Subtitle1>
        </div>
        <Title2 as="h1">{props.title}</Title2>
        {props.intro ? <Text>{props.intro}</Text> : null}
        {props.children}
      </Card>
    </main>
  );
}
