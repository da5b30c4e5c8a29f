import { useEffect, useState } from 'react';
import { ErrorNotice } from '../ui/ErrorNotice';
import type { ChatPhase, ChatProblem } from './chat-state';

/** After this long without a first word, the request is most likely queued behind others. */
export const QUEUED_AFTER_MS = 3_000;

export interface ChatNoticeProps {
  phase: ChatPhase;
  /** The answer's place in the model server's queue, when the server said. */
  queuePosition?: number | null;
  problem: ChatProblem | null;
  onRetry: () => void;
  onReload: () => void;
}

/** What the chat is waiting for, or what went wrong and what to do about it. */
export function ChatNotice({ phase, queuePosition = null, problem, onRetry, onReload }: ChatNoticeProps) {
  if (phase === 'waiting') return <WaitingNotice position={queuePosition} />;
  if (problem === null) return null;
  switch (problem.kind) {
    case 'load':
      return (
        <ErrorNotice
          code={problem.error.code}
          message={problem.error.code === 'not_found' ? undefined : problem.error.message}
          requestId={problem.error.code === 'not_found' ? undefined : problem.error.requestId}
          onRetry={problem.error.code === 'not_found' ? undefined : onReload}
        >
          {problem.error.code === 'not_found' ? (
            <p>
              <a href="#/">Start a new conversation</a>
            </p>
          ) : null}
        </ErrorNotice>
      );
    case 'send': {
      const { error } = problem;
      if (error.code === 'rate_limited') {
        return (
          <RateLimitNotice
            title="You are sending too fast."
            retryAfterSeconds={error.retryAfterSeconds}
            message={error.message}
            onRetry={onRetry}
          />
        );
      }
      const issues = error.issues;
      return (
        <ErrorNotice
          code={error.code}
          message={issues.length > 0 ? undefined : error.message}
          requestId={error.requestId}
          onRetry={error.retryable ? onRetry : undefined}
        >
          {issues.length > 0 ? (
            <ul className="notice__issues">
              {issues.map((issue) => (
                <li key={`${issue.path}:${issue.message}`}>
                  {issue.path ? <strong>{issue.path}</strong> : null} {issue.message}
                </li>
              ))}
            </ul>
          ) : null}
        </ErrorNotice>
      );
    }
    case 'answer':
      if (problem.code === 'rate_limited') {
        return (
          <RateLimitNotice
            title="The model is handling too many requests."
            retryAfterSeconds={undefined}
            message={problem.message}
            onRetry={onRetry}
          />
        );
      }
      return (
        <ErrorNotice
          code={problem.code}
          message={problem.message}
          requestId={problem.requestId}
          onRetry={problem.retryable ? onRetry : undefined}
          retryLabel="Send again"
        />
      );
    case 'interrupted':
      return <ErrorNotice code="stream_interrupted" onRetry={onRetry} retryLabel="Send again" />;
  }
}

function WaitingNotice({ position }: { position: number | null }) {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), QUEUED_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);
  let text = 'Waiting for the model…';
  if (position !== null) {
    text =
      position === 1
        ? 'The model is busy: your message is next in line.'
        : `The model is busy: your message is number ${position} in line.`;
  } else if (slow) {
    text = 'The model is busy: your message is queued and starts as soon as it is free.';
  }
  return (
    <p className="notice notice--info" role="status">
      {text}
    </p>
  );
}

export interface RateLimitNoticeProps {
  title: string;
  /** From `retry-after`; unknown when the limit came from the model's upstream. */
  retryAfterSeconds: number | undefined;
  message: string;
  onRetry: () => void;
}

export function RateLimitNotice({ title, retryAfterSeconds, message, onRetry }: RateLimitNoticeProps) {
  const [left, setLeft] = useState(retryAfterSeconds ?? 0);
  useEffect(() => {
    if (retryAfterSeconds === undefined) return;
    const until = Date.now() + retryAfterSeconds * 1000;
    setLeft(retryAfterSeconds);
    const timer = setInterval(() => {
      const next = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      setLeft(next);
      if (next === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [retryAfterSeconds]);

  const waiting = left > 0;
  return (
    <div className="notice notice--warn" role="status">
      <div className="notice__body">
        <p className="notice__title">{title}</p>
        <p className="notice__hint">
          {retryAfterSeconds === undefined
            ? 'Wait a moment, then send again.'
            : waiting
              ? `You can send again in ${left} s.`
              : 'You can send again now.'}
        </p>
        {message ? <p className="notice__detail">{message}</p> : null}
      </div>
      <button type="button" className="button button--secondary" onClick={onRetry} disabled={waiting}>
        {waiting ? `Retry in ${left} s` : 'Send again'}
      </button>
    </div>
  );
}
