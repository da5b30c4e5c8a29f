import type { Conversation } from '@sluice/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { AccountView } from '../account/AccountView';
import { useAuth } from '../auth/AuthProvider';
import { ChatView } from '../chat/ChatView';
import { ConversationList } from '../conversations/ConversationList';
import { useConversations } from '../conversations/use-conversations';
import { UsagePanel } from '../usage/UsagePanel';
import { navigate } from './router';

export interface ShellProps {
  /** The chat, or the account's settings in the main area. */
  view: 'chat' | 'account';
  conversationId: string | null;
}

/** The signed-in app: conversations on the side (a drawer on narrow screens), the chat in the middle. */
export function Shell({ view, conversationId }: ShellProps) {
  const { user, signOut } = useAuth();
  const conversations = useConversations();
  const { upsert } = conversations;
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [usageKey, setUsageKey] = useState(0);
  const menuButton = useRef<HTMLButtonElement>(null);

  const closeDrawer = useCallback(() => setDrawerOpen(false), []);

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setDrawerOpen(false);
        menuButton.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  const onConversationCreated = useCallback(
    (conversation: Conversation, open: boolean) => {
      upsert(conversation);
      if (open) navigate({ name: 'conversation', id: conversation.id }, { replace: true });
    },
    [upsert],
  );
  const onAnswerEnded = useCallback(() => setUsageKey((n) => n + 1), []);

  return (
    <div className={`shell${drawerOpen ? ' shell--drawer-open' : ''}`}>
      <header className="topbar">
        <button
          ref={menuButton}
          type="button"
          className="icon-button topbar__menu"
          aria-expanded={drawerOpen}
          aria-controls="sidebar"
          onClick={() => setDrawerOpen((open) => !open)}
        >
          <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
            <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
          <span className="visually-hidden">Conversations</span>
        </button>
        <p className="brand">
          <span className="brand__mark" aria-hidden="true" /> Sluice
        </p>
        <div className="topbar__user">
          <a className="topbar__email" title={`${user?.email ?? ''}: account and sessions`} href="#/account">
            {user?.email}
          </a>
          <button type="button" className="button button--ghost button--small" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <aside id="sidebar" className="sidebar" aria-label="Conversations and usage">
        <a className="button button--primary button--block sidebar__new" href="#/" onClick={closeDrawer}>
          + New conversation
        </a>
        <ConversationList
          conversations={conversations}
          activeId={conversationId}
          onOpen={closeDrawer}
          onActiveDeleted={() => navigate({ name: 'new-chat' }, { replace: true })}
        />
        <UsagePanel refreshKey={usageKey} />
      </aside>
      {drawerOpen ? <div className="scrim" aria-hidden="true" onClick={closeDrawer} /> : null}
      <main className="main">
        {view === 'account' ? (
          <AccountView />
        ) : (
          <ChatView
            conversationId={conversationId}
            conversations={conversations}
            onConversationCreated={onConversationCreated}
            onAnswerEnded={onAnswerEnded}
          />
        )}
      </main>
    </div>
  );
}
