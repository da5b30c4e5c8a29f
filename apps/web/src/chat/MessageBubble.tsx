import { lazy, memo, Suspense } from 'react';
import { isApiErrorCode } from '../api/api-error';
import { describeError } from '../api/describe-error';
import type { ChatItem } from './chat-state';

// The Markdown renderer and its grammars are most of the app's weight: loaded once a message shows.
const Markdown = lazy(() => import('./Markdown').then((module) => ({ default: module.Markdown })));

function statusNote(item: ChatItem): { badge: string; note: string; tone: 'warn' | 'error' | 'info' } | null {
  if (item.role !== 'assistant') {
    return item.unsent
      ? { badge: 'Not sent', note: 'The server did not accept this message.', tone: 'error' }
      : null;
  }
  switch (item.status) {
    case 'complete':
      return null;
    case 'streaming':
      return null;
    case 'interrupted':
      return {
        badge: 'Interrupted',
        note: item.stoppedByUser
          ? 'You stopped this answer.'
          : 'This answer was cut short; the text so far is kept.',
        tone: 'warn',
      };
    case 'failed':
      return {
        badge: 'Failed',
        note:
          item.errorCode && isApiErrorCode(item.errorCode)
            ? describeError(item.errorCode).title
            : 'The model failed.',
        tone: 'error',
      };
  }
}

export interface MessageBubbleProps {
  item: ChatItem;
  /** This answer is the one streaming right now. */
  live: boolean;
}

export const MessageBubble = memo(function MessageBubble({ item, live }: MessageBubbleProps) {
  const status = statusNote(item);
  const isUser = item.role === 'user';
  const waiting = live && item.content === '';
  return (
    <article
      className={[
        'message',
        isUser ? 'message--user' : 'message--assistant',
        live ? 'message--live' : '',
        status ? `message--${status.tone}` : '',
      ]
        .filter(Boolean)
        .join(' ')}
      aria-label={isUser ? 'You said' : 'Assistant said'}
      aria-busy={live || undefined}
      data-status={item.role === 'assistant' ? item.status : undefined}
    >
      <header className="message__header">
        <span className="message__author">{isUser ? 'You' : 'Assistant'}</span>
        {!isUser && item.model ? <span className="message__model">{item.model}</span> : null}
        {status ? <span className={`badge badge--${status.tone}`}>{status.badge}</span> : null}
      </header>
      <div className="message__body">
        {isUser ? (
          <p className="message__text">{item.content}</p>
        ) : waiting ? (
          <p className="message__waiting">
            <span className="dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            <span className="visually-hidden">Waiting for the answer</span>
          </p>
        ) : item.content === '' && status ? null : (
          <Suspense fallback={<p className="message__text">{item.content}</p>}>
            <Markdown text={item.content} />
          </Suspense>
        )}
      </div>
      {status ? <p className="message__note">{status.note}</p> : null}
    </article>
  );
});
