import { ErrorNotice } from '../ui/ErrorNotice';
import { ConversationItem } from './ConversationItem';
import type { Conversations } from './use-conversations';

export interface ConversationListProps {
  conversations: Conversations;
  activeId: string | null;
  /** A conversation was opened (the narrow layout closes its drawer). */
  onOpen: () => void;
  /** The active conversation was deleted. */
  onActiveDeleted: () => void;
}

export function ConversationList({
  conversations,
  activeId,
  onOpen,
  onActiveDeleted,
}: ConversationListProps) {
  const { items, loading, error, hasMore } = conversations;
  return (
    <nav className="conversations" aria-label="Conversations">
      {error ? (
        <ErrorNotice code={error.code} message={error.message} onRetry={() => void conversations.reload()} />
      ) : null}
      {items.length === 0 && !loading && !error ? (
        <p className="conversations__empty">No conversations yet.</p>
      ) : null}
      <ul className="conversations__list">
        {items.map((conversation) => (
          <ConversationItem
            key={conversation.id}
            conversation={conversation}
            active={conversation.id === activeId}
            onOpen={onOpen}
            onRename={(title) => conversations.rename(conversation.id, title)}
            onDelete={async () => {
              await conversations.remove(conversation.id);
              if (conversation.id === activeId) onActiveDeleted();
            }}
          />
        ))}
      </ul>
      {loading ? (
        <p className="conversations__loading" role="status">
          Loading conversations…
        </p>
      ) : null}
      {hasMore && !loading ? (
        <button
          type="button"
          className="button button--ghost button--block"
          onClick={() => void conversations.loadMore()}
        >
          Show older conversations
        </button>
      ) : null}
    </nav>
  );
}
