import { type FormEvent, type KeyboardEvent, type RefObject, useId, useLayoutEffect, useState } from 'react';

export interface ComposerProps {
  inputRef: RefObject<HTMLTextAreaElement | null>;
  /** An answer is on its way: Stop instead of Send. */
  busy: boolean;
  disabled?: boolean;
  onSend: (content: string) => void;
  onStop: () => void;
}

const MAX_HEIGHT_PX = 240;

/** Enter sends, Shift+Enter starts a new line; the keyboard focus comes back here after sending or stopping. */
export function Composer({ inputRef, busy, disabled = false, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');
  const id = useId();

  // Grow with the text, up to a limit, then scroll.
  useLayoutEffect(() => {
    const element = inputRef.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${Math.min(element.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text, inputRef]);

  const canSend = !busy && !disabled && text.trim() !== '';

  const send = () => {
    if (!canSend) return;
    onSend(text);
    setText('');
    inputRef.current?.focus();
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Not while an input method is composing a character (Enter confirms the character there).
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={`${id}-message`} className="visually-hidden">
        Message
      </label>
      <textarea
        ref={inputRef}
        id={`${id}-message`}
        className="composer__input"
        rows={1}
        placeholder="Send a message"
        value={text}
        disabled={disabled}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={`${id}-help`}
      />
      <p id={`${id}-help`} className="visually-hidden">
        Enter sends; Shift and Enter adds a line.
      </p>
      {busy ? (
        <button
          type="button"
          className="button button--stop"
          onClick={() => {
            onStop();
            inputRef.current?.focus();
          }}
        >
          <span className="stop-square" aria-hidden="true" /> Stop
        </button>
      ) : (
        <button type="submit" className="button button--primary" disabled={!canSend}>
          Send
        </button>
      )}
    </form>
  );
}
