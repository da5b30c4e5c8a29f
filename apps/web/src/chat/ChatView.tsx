import type { Conversation } from '@sluice/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '../auth/AuthProvider';
import { type Conversations, titleOf } from '../conversations/use-conversations';
import type { ChatItem } from './chat-state';
import { ChatNotice } from './ChatNotice';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { ModelPicker } from './ModelPicker';
import { useChat } from './use-chat';
import { useModels } from './use-models';

export interface ChatViewProps {
  conversationId: string | null;
  conversations: Conversations;
  onConversationCreated: (conversation: Conversation, open: boolean) => void;
  onAnswerEnded: () => void;
}

const WIDE = '(min-width: 760px)';

/** What a screen reader hears when an answer ends (the streamed text itself is not read out piece by piece). */
function announcementFor(item: ChatItem | undefined): string {
  if (item?.role !== 'assistant') return '';
  switch (item.status) {
    case 'complete':
      return 'The answer is complete.';
    case 'interrupted':
      return item.stoppedByUser ? 'The answer was stopped.' : 'The answer was cut short.';
    case 'failed':
      return 'The answer failed.';
    case 'streaming':
      return '';
  }
}

export function ChatView({
  conversationId,
  conversations,
  onConversationCreated,
  onAnswerEnded,
}: ChatViewProps) {
  const api = useApi();
  const models = useModels();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [followKey, setFollowKey] = useState(0);
  const [fetched, setFetched] = useState<Conversation | null>(null);
  const { upsert } = conversations;

  const listed =
    conversationId === null ? undefined : conversations.items.find((item) => item.id === conversationId);
  const conversation = listed ?? (fetched?.id === conversationId ? fetched : undefined);

  // Deep link to a conversation beyond the first page of the list: fetch it on its own.
  useEffect(() => {
    if (conversationId === null || listed !== undefined || conversations.loading) return;
    const controller = new AbortController();
    api.getConversation(conversationId, controller.signal).then(setFetched, () => undefined);
    return () => controller.abort();
  }, [api, conversationId, listed, conversations.loading]);

  const [model, setModel] = useState('');
  const conversationModel = conversation?.model ?? '';
  useEffect(() => setModel(conversationModel), [conversationId, conversationModel]);

  // A message moves its conversation to the top of the list, and the first one names it.
  const refreshConversation = useCallback(
    (id: string) => void api.getConversation(id).then(upsert, () => undefined),
    [api, upsert],
  );
  const onAnswerEndedFor = useCallback(
    (id: string) => {
      refreshConversation(id);
      onAnswerEnded();
    },
    [refreshConversation, onAnswerEnded],
  );

  const chat = useChat({
    conversationId,
    model: model === '' ? null : model,
    onConversationCreated,
    onAnswerStarted: refreshConversation,
    onAnswerEnded: onAnswerEndedFor,
  });
  const { state } = chat;

  const [announcement, setAnnouncement] = useState('');
  const previousPhase = useRef(state.phase);
  useEffect(() => {
    if (state.phase === 'waiting') setAnnouncement('Sent. Waiting for the answer.');
    if (previousPhase.current !== 'idle' && state.phase === 'idle') {
      setAnnouncement(announcementFor(state.items[state.items.length - 1]));
    }
    previousPhase.current = state.phase;
  }, [state.phase, state.items]);

  useEffect(() => {
    if (window.matchMedia?.(WIDE).matches) inputRef.current?.focus();
  }, [conversationId]);

  // Fetch the Markdown renderer while the user types the first message.
  useEffect(() => void import('./Markdown'), []);

  const notFound = state.problem?.kind === 'load' && state.problem.error.code === 'not_found';
  const title = notFound
    ? 'Conversation not found'
    : conversationId === null && state.conversationId === null
      ? 'New conversation'
      : titleOf(conversation);
  useEffect(() => {
    document.title = `${title} · Sluice`;
  }, [title]);

  const changeModel = (next: string) => {
    setModel(next);
    const id = state.conversationId;
    if (id !== null)
      api.updateConversation(id, { model: next === '' ? null : next }).then(upsert, () => undefined);
  };

  const send = (content: string) => {
    setFollowKey((n) => n + 1);
    void chat.send(content);
  };

  const empty =
    !state.loading && state.items.length === 0 && state.problem === null && state.phase === 'idle';
  return (
    <section className="chat" aria-labelledby="chat-title">
      <header className="chat__header">
        <h1 id="chat-title" className="chat__title">
          {title}
        </h1>
        <ModelPicker models={models} value={model} onChange={changeModel} disabled={chat.busy} />
      </header>
      {state.loading ? (
        <p className="chat__loading" role="status">
          Loading messages…
        </p>
      ) : empty ? (
        <div className="chat__empty">
          <p className="chat__empty-title">What can I help with?</p>
          <p>Answers stream in as they are written. Enter sends; Shift+Enter adds a line.</p>
        </div>
      ) : (
        <MessageList items={state.items} streaming={chat.busy} followKey={followKey} />
      )}
      <div className="chat__footer">
        <p className="visually-hidden" aria-live="polite">
          {announcement}
        </p>
        <div className="chat__status" aria-live="polite">
          <ChatNotice
            phase={state.phase}
            queuePosition={state.queuePosition}
            problem={state.problem}
            onRetry={() => {
              setFollowKey((n) => n + 1);
              void chat.retry();
              inputRef.current?.focus();
            }}
            onReload={chat.reload}
          />
        </div>
        <Composer
          inputRef={inputRef}
          busy={chat.busy}
          disabled={state.loading || state.problem?.kind === 'load'}
          onSend={send}
          onStop={chat.stop}
        />
      </div>
    </section>
  );
}
