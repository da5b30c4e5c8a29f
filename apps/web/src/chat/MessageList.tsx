import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { ChatItem } from './chat-state';
import { MessageBubble } from './MessageBubble';

/** Within this many pixels of the bottom counts as "at the bottom": the view follows the stream. */
const FOLLOW_THRESHOLD_PX = 48;

export interface MessageListProps {
  items: ChatItem[];
  streaming: boolean;
  /** Changes on each send: the view jumps back to the bottom and follows again. */
  followKey: number;
}

export function MessageList({ items, streaming, followKey }: MessageListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const [detached, setDetached] = useState(false);

  const scrollToBottom = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    follow.current = true;
    setDetached(false);
  }, []);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= FOLLOW_THRESHOLD_PX;
    follow.current = atBottom;
    setDetached(!atBottom);
  };

  // A new send: back to the bottom, following.
  useLayoutEffect(() => {
    follow.current = true;
    scrollToBottom();
  }, [followKey, scrollToBottom]);

  // New text: keep the bottom in view, unless the user scrolled up to read.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && follow.current) element.scrollTop = element.scrollHeight;
  }, [items]);

  const last = items[items.length - 1];
  return (
    <div className="messages" ref={scroller} onScroll={onScroll}>
      <div className="messages__inner" role="log" aria-label="Messages" aria-live="off">
        {items.map((item) => (
          <MessageBubble
            key={item.key}
            item={item}
            live={streaming && item === last && item.role === 'assistant'}
          />
        ))}
      </div>
      {detached && streaming ? (
        <button type="button" className="button button--small jump-to-latest" onClick={scrollToBottom}>
          Jump to the latest ↓
        </button>
      ) : null}
    </div>
  );
}
