import { Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect } from 'react';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}` },
});

/** A portal page that only says something: "Page not found", "Access denied". */
export function MessagePage({ title, message }: { title: string; message: string }) {
  const styles = useStyles();
  useEffect(() => {
    document.title = `${title} - Bastion`;
  }, [title]);
  return (
    <section className={styles.page} aria-labelledby="page-title">
      <Title2 as="h1" id="page-title">
        {title}
      </Title2>
      <Text>{message}</Text>
    </section>
  );
}
