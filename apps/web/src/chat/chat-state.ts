import type { Message, MessageRole, MessageStatus, MetaEvent } from '@sluice/contracts';
import type { ApiError, ClientErrorCode } from '../api/api-error';
import type { StreamOutcome } from '../stream/chat-stream';

/** One message as the chat shows it: a stored one, or one being sent and streamed right now. */
export interface ChatItem {
  /** Stable React key: the server id, or a local one until the server's `meta` names it. */
  key: string;
  id: string | null;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  model: string | null;
  /** Why an answer failed or was cut (the API's code, or this client's reason). */
  errorCode: string | null;
  /** The user pressed Stop (the server stores it as `interrupted`). */
  stoppedByUser: boolean;
  /** A user message the server refused before storing it (rate limited, too long, ...). */
  unsent: boolean;
}

/** `waiting`: sent, nothing back yet (the model loads, or the request is queued); `streaming`: text arrives. */
export type ChatPhase = 'idle' | 'waiting' | 'streaming';

export type ChatProblem =
  /** The conversation's messages could not be loaded. */
  | { kind: 'load'; error: ApiError }
  /** The send was refused before any answer started (JSON error). */
  | { kind: 'send'; error: ApiError; content: string }
  /** The answer started and ended in the server's `error` event (or an unreadable stream). */
  | {
      kind: 'answer';
      code: ClientErrorCode;
      message: string;
      retryable: boolean;
      /** The failed request, to quote to an operator. */
      requestId?: string;
      content: string;
    }
  /** The connection dropped mid-answer. */
  | { kind: 'interrupted'; content: string };

export interface ChatState {
  conversationId: string | null;
  items: ChatItem[];
  loading: boolean;
  phase: ChatPhase;
  /** While `waiting`: the answer's place in the model server's queue, when the server said. */
  queuePosition: number | null;
  problem: ChatProblem | null;
}

export type ChatAction =
  | { type: 'reset'; conversationId: string | null; loading: boolean }
  | { type: 'loaded'; messages: Message[] }
  | { type: 'load-failed'; error: ApiError }
  | { type: 'created'; conversationId: string }
  | { type: 'send-started'; content: string; userKey: string; assistantKey: string; model: string | null }
  | { type: 'meta'; userKey: string; assistantKey: string; meta: MetaEvent }
  | { type: 'delta'; assistantKey: string; text: string }
  | { type: 'queued'; position: number }
  | { type: 'finished'; assistantKey: string; outcome: StreamOutcome; content: string }
  | { type: 'send-failed'; userKey: string; assistantKey: string; error: ApiError; content: string }
  | { type: 'dismiss-problem' };

export const initialChatState = (conversationId: string | null): ChatState => ({
  conversationId,
  items: [],
  loading: conversationId !== null,
  phase: 'idle',
  queuePosition: null,
  problem: null,
});

export function itemOf(message: Message): ChatItem {
  return {
    key: message.id,
    id: message.id,
    role: message.role,
    content: message.content,
    status: message.status,
    model: message.model,
    errorCode: message.errorCode,
    stoppedByUser: false,
    unsent: false,
  };
}

function patch(items: ChatItem[], key: string, change: (item: ChatItem) => ChatItem): ChatItem[] {
  return items.map((item) => (item.key === key ? change(item) : item));
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'reset':
      return { ...initialChatState(action.conversationId), loading: action.loading };
    case 'loaded':
      return {
        ...state,
        loading: false,
        items: action.messages.filter((m) => m.role !== 'system').map(itemOf),
      };
    case 'load-failed':
      return { ...state, loading: false, problem: { kind: 'load', error: action.error } };
    case 'created':
      return { ...state, conversationId: action.conversationId };
    case 'send-started': {
      // A message the server refused is replaced by the one sent again.
      const kept = state.items.filter((item) => !item.unsent);
      const user: ChatItem = {
        key: action.userKey,
        id: null,
        role: 'user',
        content: action.content,
        status: 'complete',
        model: null,
        errorCode: null,
        stoppedByUser: false,
        unsent: false,
      };
      const assistant: ChatItem = {
        ...user,
        key: action.assistantKey,
        role: 'assistant',
        content: '',
        status: 'streaming',
        model: action.model,
      };
      return {
        ...state,
        items: [...kept, user, assistant],
        phase: 'waiting',
        queuePosition: null,
        problem: null,
      };
    }
    case 'meta': {
      // Keys stay local (React keeps the same nodes); the ids are the server's from here on.
      const items = patch(state.items, action.userKey, (item) => ({
        ...item,
        id: action.meta.userMessageId,
      }));
      return {
        ...state,
        items: patch(items, action.assistantKey, (item) => ({
          ...item,
          id: action.meta.assistantMessageId,
          model: action.meta.model ?? item.model,
        })),
      };
    }
    case 'queued':
      return { ...state, queuePosition: action.position };
    case 'delta':
      return {
        ...state,
        phase: 'streaming',
        queuePosition: null,
        items: patch(state.items, action.assistantKey, (item) => ({
          ...item,
          content: item.content + action.text,
        })),
      };
    case 'finished':
      return finish(state, action.assistantKey, action.outcome, action.content);
    case 'send-failed': {
      const items = state.items
        .filter((item) => item.key !== action.assistantKey)
        .map((item) => (item.key === action.userKey ? { ...item, unsent: true } : item));
      return {
        ...state,
        items,
        phase: 'idle',
        queuePosition: null,
        problem: { kind: 'send', error: action.error, content: action.content },
      };
    }
    case 'dismiss-problem':
      return { ...state, problem: null };
  }
}

function finish(state: ChatState, key: string, outcome: StreamOutcome, content: string): ChatState {
  const base = { ...state, phase: 'idle' as const, queuePosition: null };
  switch (outcome.type) {
    case 'done':
      return { ...base, items: patch(state.items, key, (item) => ({ ...item, status: 'complete' })) };
    case 'failed':
      return {
        ...base,
        items: patch(state.items, key, (item) => ({
          ...item,
          status: 'failed',
          errorCode: outcome.error.code,
        })),
        problem: { kind: 'answer', ...outcome.error, content },
      };
    case 'interrupted':
      return {
        ...base,
        items: patch(state.items, key, (item) => ({
          ...item,
          status: 'interrupted',
          errorCode: outcome.reason,
        })),
        problem: { kind: 'interrupted', content },
      };
    case 'stopped':
      return {
        ...base,
        items: patch(state.items, key, (item) => ({
          ...item,
          status: 'interrupted',
          errorCode: 'client_closed',
          stoppedByUser: true,
        })),
      };
  }
}
