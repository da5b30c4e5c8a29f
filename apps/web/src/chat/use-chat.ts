import type { Conversation } from '@sluice/contracts';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { ApiError, isAbortError } from '../api/api-error';
import { useApi } from '../auth/AuthProvider';
import { type ChatAction, chatReducer, type ChatState, initialChatState } from './chat-state';

export interface UseChatOptions {
  /** The conversation the route names; `null` for a new chat (created on the first send). */
  conversationId: string | null;
  /** The model picked for the next message (`null`: the conversation's or the API's default). */
  model: string | null;
  /** `open`: the chat still shows it (the route should follow); false when the user went elsewhere meanwhile. */
  onConversationCreated: (conversation: Conversation, open: boolean) => void;
  /** The answer started (the server stored the message and named the conversation after it). */
  onAnswerStarted: (conversationId: string) => void;
  /** An answer ended (however): time to refresh the list order, the title and the usage. */
  onAnswerEnded: (conversationId: string) => void;
}

export interface Chat {
  state: ChatState;
  busy: boolean;
  send: (content: string) => Promise<void>;
  stop: () => void;
  /** Sends the content of the failed or interrupted exchange again. */
  retry: () => Promise<void>;
  reload: () => void;
  dismissProblem: () => void;
}

let localKeys = 0;
const localKey = (prefix: string) => `${prefix}-${(localKeys += 1)}`;

export function useChat({
  conversationId,
  model,
  onConversationCreated,
  onAnswerStarted,
  onAnswerEnded,
}: UseChatOptions): Chat {
  const api = useApi();
  const [state, dispatch] = useReducer(chatReducer, conversationId, initialChatState);
  const stream = useRef<AbortController | null>(null);
  const loading = useRef<AbortController | null>(null);
  // The conversation this chat holds. After a create it is ahead of the route for a moment.
  const current = useRef<string | null>(null);
  // Bumped whenever the chat switches conversation: a send from before must not touch the new one.
  const epoch = useRef(0);

  // Latest callbacks without re-running effects when the parent re-renders.
  const callbacks = useRef({ onConversationCreated, onAnswerStarted, onAnswerEnded });
  callbacks.current = { onConversationCreated, onAnswerStarted, onAnswerEnded };

  const load = useCallback(
    (id: string | null) => {
      epoch.current += 1;
      loading.current?.abort();
      stream.current?.abort();
      stream.current = null;
      current.current = id;
      dispatch({ type: 'reset', conversationId: id, loading: id !== null });
      if (id === null) return;
      const controller = new AbortController();
      loading.current = controller;
      api
        .listMessages(id, controller.signal)
        .then((messages) => dispatch({ type: 'loaded', messages }))
        .catch((error: unknown) => {
          if (isAbortError(error)) return;
          dispatch({
            type: 'load-failed',
            error: error instanceof ApiError ? error : ApiError.network(error),
          });
        });
    },
    [api],
  );

  useEffect(() => {
    // The route caught up with the conversation this chat just created: it is already here.
    if (conversationId !== null && conversationId === current.current) return;
    load(conversationId);
  }, [conversationId, load]);

  // Leaving the chat stops its answer (the server keeps what was produced, as interrupted).
  useEffect(
    () => () => {
      loading.current?.abort();
      stream.current?.abort();
      current.current = null;
    },
    [],
  );

  const reload = useCallback(() => load(current.current), [load]);

  const send = useCallback(
    async (content: string) => {
      if (stream.current !== null || content.trim() === '') return;
      const controller = new AbortController();
      stream.current = controller;
      const mine = epoch.current;
      const emit = (action: ChatAction) => {
        if (epoch.current === mine) dispatch(action);
      };
      const userKey = localKey('user');
      const assistantKey = localKey('assistant');
      emit({ type: 'send-started', content, userKey, assistantKey, model });
      try {
        let id = current.current;
        if (id === null) {
          const created = await api.createConversation(model === null ? {} : { model });
          // The user went to another conversation meanwhile: it keeps its (empty) place in the list.
          if (epoch.current !== mine) controller.abort();
          else {
            id = created.id;
            current.current = id;
            emit({ type: 'created', conversationId: id });
          }
          callbacks.current.onConversationCreated(created, epoch.current === mine);
        }
        if (controller.signal.aborted || id === null) {
          emit({ type: 'finished', assistantKey, outcome: { type: 'stopped' }, content });
          return;
        }
        const result = await api.sendMessage(id, model === null ? { content } : { content, model }, {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.event === 'meta') {
              emit({ type: 'meta', userKey, assistantKey, meta: event.data });
              callbacks.current.onAnswerStarted(event.data.conversationId);
            } else if (event.event === 'delta') emit({ type: 'delta', assistantKey, text: event.data.text });
            else if (event.event === 'queued') emit({ type: 'queued', position: event.data.position });
          },
        });
        emit({ type: 'finished', assistantKey, outcome: result.outcome, content });
        callbacks.current.onAnswerEnded(id);
      } catch (error) {
        if (isAbortError(error)) {
          emit({ type: 'finished', assistantKey, outcome: { type: 'stopped' }, content });
          return;
        }
        const apiError = error instanceof ApiError ? error : ApiError.network(error);
        emit({ type: 'send-failed', userKey, assistantKey, error: apiError, content });
      } finally {
        if (stream.current === controller) stream.current = null;
      }
    },
    [api, model],
  );

  const stop = useCallback(() => stream.current?.abort(), []);

  const retry = useCallback(async () => {
    const problem = state.problem;
    if (problem === null || problem.kind === 'load') return;
    await send(problem.content);
  }, [send, state.problem]);

  const dismissProblem = useCallback(() => dispatch({ type: 'dismiss-problem' }), []);

  return { state, busy: state.phase !== 'idle', send, stop, retry, reload, dismissProblem };
}
