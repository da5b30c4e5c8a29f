import type { Conversation } from '@sluice/contracts';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api/api-error';
import { hrefOf } from '../app/router';
import { titleOf } from './use-conversations';

export interface ConversationItemProps {
  conversation: Conversation;
  active: boolean;
  onOpen: () => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => Promise<void>;
}

type Mode = 'view' | 'rename' | 'confirm-delete';

export function ConversationItem({
  conversation,
  active,
  onOpen,
  onRename,
  onDelete,
}: ConversationItemProps) {
  const [mode, setMode] = useState<Mode>('view');
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const linkRef = useRef<HTMLAnchorElement>(null);
  const id = useId();
  const title = titleOf(conversation);

  useEffect(() => {
    if (mode === 'rename') {
      inputRef.current?.focus();
      inputRef.current?.select();
    }
    if (mode === 'confirm-delete') confirmRef.current?.focus();
  }, [mode]);

  const close = () => {
    setMode('view');
    setError(null);
    // Keep the keyboard where it was: back on the conversation.
    requestAnimationFrame(() => linkRef.current?.focus());
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setBusy(false);
      return true;
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'That did not work. Try again.');
      setBusy(false);
      return false;
    }
  };

  const submitRename = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = draft.trim();
    if (next === '' || next === conversation.title) return close();
    if (await run(() => onRename(next))) close();
  };

  if (mode === 'rename') {
    return (
      <li className="conversation conversation--editing">
        <form className="conversation__rename" onSubmit={(event) => void submitRename(event)}>
          <label className="visually-hidden" htmlFor={`${id}-title`}>
            New title for {title}
          </label>
          <input
            ref={inputRef}
            id={`${id}-title`}
            value={draft}
            maxLength={200}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') close();
            }}
            disabled={busy}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
          <div className="conversation__actions conversation__actions--visible">
            <button type="submit" className="button button--small button--primary" disabled={busy}>
              Save
            </button>
            <button type="button" className="button button--small" onClick={close} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
        {error ? (
          <p className="field__error" id={`${id}-error`} role="alert">
            {error}
          </p>
        ) : null}
      </li>
    );
  }

  if (mode === 'confirm-delete') {
    return (
      <li className="conversation conversation--confirm">
        <p className="conversation__confirm-text" id={`${id}-confirm`}>
          Delete “{title}”? This cannot be undone.
        </p>
        <div className="conversation__actions conversation__actions--visible">
          <button
            ref={confirmRef}
            type="button"
            className="button button--small button--danger"
            disabled={busy}
            aria-describedby={`${id}-confirm`}
            onClick={() => void run(onDelete)}
          >
            Delete
          </button>
          <button type="button" className="button button--small" onClick={close} disabled={busy}>
            Cancel
          </button>
        </div>
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
      </li>
    );
  }

  return (
    <li className={`conversation${active ? ' conversation--active' : ''}`}>
      <a
        ref={linkRef}
        className="conversation__link"
        href={hrefOf({ name: 'conversation', id: conversation.id })}
        aria-current={active ? 'page' : undefined}
        onClick={onOpen}
        title={title}
      >
        {title}
      </a>
      <div className="conversation__actions">
        <button
          type="button"
          className="icon-button"
          aria-label={`Rename ${title}`}
          title="Rename"
          onClick={() => {
            setDraft(conversation.title ?? '');
            setMode('rename');
          }}
        >
          <PencilIcon />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={`Delete ${title}`}
          title="Delete"
          onClick={() => setMode('confirm-delete')}
        >
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}

function PencilIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <path
        d="M13.6 3.4l3 3L7 16H4v-3l9.6-9.6z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinejoin="round"
      />
    </svg>
  );
}

function TrashIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <path
        d="M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
