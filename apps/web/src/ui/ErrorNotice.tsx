import type { ReactNode } from 'react';
import type { ClientErrorCode } from '../api/api-error';
import { describeError } from '../api/describe-error';

export interface ErrorNoticeProps {
  code: ClientErrorCode | 'stream_interrupted';
  /** The server's own message, shown under the explanation. */
  message?: string | undefined;
  requestId?: string | undefined;
  onRetry?: (() => void) | undefined;
  retryLabel?: string;
  children?: ReactNode;
}

/** A failure said plainly: what happened, what to do, the server's words, and a retry when it may help. */
export function ErrorNotice({
  code,
  message,
  requestId,
  onRetry,
  retryLabel = 'Try again',
  children,
}: ErrorNoticeProps) {
  const { title, hint } = describeError(code);
  return (
    <div className="notice notice--error" role="alert">
      <div className="notice__body">
        <p className="notice__title">{title}</p>
        <p className="notice__hint">{hint}</p>
        {message && message !== title ? <p className="notice__detail">{message}</p> : null}
        {children}
        {requestId ? <p className="notice__meta">Reference: {requestId}</p> : null}
      </div>
      {onRetry ? (
        <button type="button" className="button button--secondary" onClick={onRetry}>
          {retryLabel}
        </button>
      ) : null}
    </div>
  );
}
