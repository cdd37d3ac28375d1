import { MessageBar, MessageBarBody, type MessageBarIntent } from '@fluentui/react-components';

/** A one-line MessageBar for form feedback; announced to screen readers as it appears. */
export function FormMessage(props: { intent: MessageBarIntent; text: string | undefined }) {
  if (!props.text) return null;
  return (
    <MessageBar intent={props.intent} role={props.intent === 'error' || props.intent === 'warning' ? 'alert' : 'status'}>
      <MessageBarBody>{props.text}</MessageBarBody>
    </MessageBar>
  );
}
