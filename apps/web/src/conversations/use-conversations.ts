import type { Conversation } from '@sluice/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, isAbortError } from '../api/api-error';
import { useApi } from '../auth/AuthProvider';

const PAGE_SIZE = 30;

export interface ConversationsState {
  items: Conversation[];
  /** More pages on the server. */
  hasMore: boolean;
  loading: boolean;
  error: ApiError | null;
}

export interface Conversations extends ConversationsState {
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
  /** Puts a created or changed conversation in the list, newest first. */
  upsert: (conversation: Conversation) => void;
  rename: (id: string, title: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

function newestFirst(a: Conversation, b: Conversation): number {
  return b.updatedAt.localeCompare(a.updatedAt);
}

export function useConversations(): Conversations {
  const api = useApi();
  const [state, setState] = useState<ConversationsState>({
    items: [],
    hasMore: false,
    loading: true,
    error: null,
  });
  const cursor = useRef<string | null>(null);
  const inflight = useRef<AbortController | null>(null);

  const fetchPage = useCallback(
    async (append: boolean) => {
      inflight.current?.abort();
      const controller = new AbortController();
      inflight.current = controller;
      setState((current) => ({ ...current, loading: true, error: null }));
      try {
        const page = await api.listConversations(
          append && cursor.current ? { cursor: cursor.current, limit: PAGE_SIZE } : { limit: PAGE_SIZE },
          controller.signal,
        );
        cursor.current = page.nextCursor;
        setState((current) => {
          const known = append
            ? current.items.filter((item) => !page.items.some((next) => next.id === item.id))
            : [];
          return {
            items: [...known, ...page.items],
            hasMore: page.nextCursor !== null,
            loading: false,
            error: null,
          };
        });
      } catch (error) {
        if (isAbortError(error)) return;
        setState((current) => ({
          ...current,
          loading: false,
          error: error instanceof ApiError ? error : ApiError.network(error),
        }));
      }
    },
    [api],
  );

  useEffect(() => {
    void fetchPage(false);
    return () => inflight.current?.abort();
  }, [fetchPage]);

  const upsert = useCallback((conversation: Conversation) => {
    setState((current) => ({
      ...current,
      items: [conversation, ...current.items.filter((item) => item.id !== conversation.id)].sort(newestFirst),
    }));
  }, []);

  const rename = useCallback(
    async (id: string, title: string) => {
      upsert(await api.updateConversation(id, { title }));
    },
    [api, upsert],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.deleteConversation(id);
      setState((current) => ({ ...current, items: current.items.filter((item) => item.id !== id) }));
    },
    [api],
  );

  const reload = useCallback(() => fetchPage(false), [fetchPage]);
  const loadMore = useCallback(() => fetchPage(true), [fetchPage]);

  return useMemo(
    () => ({ ...state, reload, loadMore, upsert, rename, remove }),
    [state, reload, loadMore, upsert, rename, remove],
  );
}

export function titleOf(conversation: Pick<Conversation, 'title'> | undefined): string {
  return conversation?.title?.trim() || 'New conversation';
}
