import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../app/App';
import {
  conversation,
  defined,
  fakeApi,
  type Handler,
  message,
  SESSION,
  USER,
} from '../test-support/fake-api';
import {
  answer,
  controlledBody,
  errorResponse,
  jsonResponse,
  META,
  sse,
  streamResponse,
} from '../test-support/sse';

const CONVERSATION_ID = META.conversationId;
const SEND = `POST /api/conversations/:id/messages`;

function renderChat(handlers: Record<string, Handler>, route = '#/') {
  window.location.hash = route;
  const api = fakeApi(handlers);
  const user = userEvent.setup();
  render(<App fetch={api.fetch} initialSession={SESSION} />);
  return { api, user, input: () => screen.getByRole('textbox', { name: 'Message' }) };
}

const lastAnswer = () => {
  const answers = screen.getAllByRole('article', { name: 'Assistant said' });
  return defined(answers[answers.length - 1], 'an answer');
};

describe('ChatView', () => {
  it('sends with Enter, adds a line with Shift+Enter, streams the answer and gives the focus back', async () => {
    const body = controlledBody();
    const { api, user, input } = renderChat({ [SEND]: () => streamResponse(body.stream) });

    await user.type(input(), 'First line{Shift>}{Enter}{/Shift}second line');
    expect(input()).toHaveProperty('value', 'First line\nsecond line');
    await user.keyboard('{Enter}');

    // A new conversation is created on the first send, then the message goes to it.
    await waitFor(() =>
      expect(api.calls('POST', `/api/conversations/${CONVERSATION_ID}/messages`)).toHaveLength(1),
    );
    expect(api.calls('POST', '/api/conversations')).toHaveLength(1);
    expect(api.sentBody('POST', `/api/conversations/${CONVERSATION_ID}/messages`)).toEqual({
      content: 'First line\nsecond line',
    });
    expect(screen.getByRole('article', { name: 'You said' }).textContent).toContain(
      'First line\nsecond line',
    );
    expect(input()).toHaveProperty('value', '');
    expect(document.activeElement).toBe(input());
    expect(screen.getByRole('status').textContent).toBe('Waiting for the model…');

    act(() => body.push(sse('meta', META, 1) + sse('delta', { text: 'The **answer**' }, 2)));
    await waitFor(() => expect(lastAnswer().textContent).toContain('The answer'));
    expect(lastAnswer().getAttribute('data-status')).toBe('streaming');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();

    act(() => body.push(sse('delta', { text: ' grows.' }, 3)));
    await waitFor(() => expect(lastAnswer().textContent).toContain('The answer grows.'));
    act(() => {
      body.push(sse('done', { finishReason: 'stop', usage: { completionTokens: 3 } }, 4));
      body.end();
    });
    await waitFor(() => expect(lastAnswer().getAttribute('data-status')).toBe('complete'));
    expect(lastAnswer().querySelector('strong')?.textContent).toBe('answer');
    await screen.findByText('The answer is complete.');
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(window.location.hash).toBe(`#/c/${CONVERSATION_ID}`);
  });

  it("tells the user their place in a busy model server's queue until the answer starts", async () => {
    const body = controlledBody();
    const { user, input } = renderChat({ [SEND]: () => streamResponse(body.stream) });
    await user.type(input(), 'Hello{Enter}');
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Waiting for the model…'));

    act(() => body.push(sse('queued', { position: 2 }, 1)));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        'The model is busy: your message is number 2 in line.',
      ),
    );
    act(() => body.push(sse('queued', { position: 1 }, 2)));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('The model is busy: your message is next in line.'),
    );
    act(() => {
      body.push(sse('meta', META, 3) + sse('delta', { text: 'At last.' }, 4));
      body.push(sse('done', { finishReason: 'stop', usage: {} }, 5));
      body.end();
    });
    await waitFor(() => expect(lastAnswer().getAttribute('data-status')).toBe('complete'));
    expect(screen.queryByText(/in line/)).toBeNull();
  });

  it('stops a streaming answer and marks it interrupted', async () => {
    const body = controlledBody();
    const { user, input } = renderChat({ [SEND]: () => streamResponse(body.stream) });
    await user.type(input(), 'Tell me a long story{Enter}');
    act(() => body.push(sse('meta', META, 1) + sse('delta', { text: 'Once upon a time' }, 2)));
    await waitFor(() => expect(lastAnswer().textContent).toContain('Once upon a time'));

    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(lastAnswer().getAttribute('data-status')).toBe('interrupted'));
    expect(within(lastAnswer()).getByText('Interrupted')).toBeTruthy();
    expect(within(lastAnswer()).getByText('You stopped this answer.')).toBeTruthy();
    await screen.findByText('The answer was stopped.');
    expect(lastAnswer().textContent).toContain('Once upon a time');
    expect(document.activeElement).toBe(input());
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('keeps a partial answer as interrupted when the connection drops, with a way to send again', async () => {
    const body = controlledBody();
    let sends = 0;
    const { user, input } = renderChat({
      [SEND]: () => {
        sends += 1;
        return sends === 1 ? streamResponse(body.stream) : streamResponse(answer(['Full answer.']));
      },
    });
    await user.type(input(), 'Hi{Enter}');
    act(() => body.push(sse('meta', META, 1) + sse('delta', { text: 'Half' }, 2)));
    await waitFor(() => expect(lastAnswer().textContent).toContain('Half'));
    act(() => body.fail(new TypeError('network error')));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The connection dropped before the answer finished.');
    expect(lastAnswer().getAttribute('data-status')).toBe('interrupted');
    expect(lastAnswer().textContent).toContain('Half');

    await user.click(within(alert).getByRole('button', { name: 'Send again' }));
    await waitFor(() => expect(lastAnswer().textContent).toContain('Full answer.'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says the model is unavailable and retries on request', async () => {
    let sends = 0;
    const { api, user, input } = renderChat({
      [SEND]: () => {
        sends += 1;
        return streamResponse(
          sends === 1
            ? sse('meta', META, 1) +
                sse(
                  'error',
                  {
                    code: 'llm_unavailable',
                    message: 'The model server is not available right now.',
                    retryable: true,
                    requestId: 'req-42',
                  },
                  2,
                )
            : answer(['Back online.']),
        );
      },
    });
    await user.type(input(), 'Are you there?{Enter}');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The model is unavailable right now.');
    expect(alert.textContent).toContain('The model server is not available right now.');
    expect(alert.textContent).toContain('Reference: req-42');
    expect(lastAnswer().getAttribute('data-status')).toBe('failed');
    expect(within(lastAnswer()).getByText('Failed')).toBeTruthy();

    await user.click(within(alert).getByRole('button', { name: 'Send again' }));
    await waitFor(() => expect(lastAnswer().textContent).toContain('Back online.'));
    const bodies = api
      .calls('POST', `/api/conversations/${CONVERSATION_ID}/messages`)
      .map(([, init]) => init.body);
    expect(bodies).toEqual(['{"content":"Are you there?"}', '{"content":"Are you there?"}']);
  });

  it('offers no retry for an error that would fail again', async () => {
    const { user, input } = renderChat({
      [SEND]: () =>
        streamResponse(
          sse('meta', META, 1) +
            sse(
              'error',
              { code: 'context_length_exceeded', message: 'Too many tokens', retryable: false },
              2,
            ),
        ),
    });
    await user.type(input(), 'x{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This conversation is too long for the model.');
    expect(within(alert).queryByRole('button')).toBeNull();
  });

  it('shows when to retry after a 429, and counts down', async () => {
    const { user, input } = renderChat({
      [SEND]: () =>
        errorResponse(429, 'rate_limited', 'Too many messages', { headers: { 'retry-after': '2' } }),
    });
    await user.type(input(), 'Quick question{Enter}');

    const notice = await screen.findByText('You are sending too fast.');
    const box = notice.closest('.notice') as HTMLElement;
    expect(box.textContent).toMatch(/You can send again in [12] s\./);
    const retry = within(box).getByRole('button');
    expect(retry).toHaveProperty('disabled', true);
    // The refused message is marked, not lost.
    expect(within(screen.getByRole('article', { name: 'You said' })).getByText('Not sent')).toBeTruthy();
    await waitFor(
      () => expect(within(box).getByRole('button', { name: 'Send again' })).toHaveProperty('disabled', false),
      {
        timeout: 4000,
      },
    );
  });

  it('lists the details of a validation error', async () => {
    const { user, input } = renderChat({
      [SEND]: () =>
        errorResponse(400, 'validation_failed', 'Invalid request: content: must not be blank', {
          details: [{ path: 'content', message: 'must not be blank' }],
        }),
    });
    await user.type(input(), 'something{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Some details need fixing.');
    expect(within(alert).getByRole('listitem').textContent).toBe('content must not be blank');
  });

  it('shows stored interrupted and failed answers marked as such', async () => {
    const { input } = renderChat(
      {
        'GET /api/conversations': () =>
          new Response(JSON.stringify({ items: [conversation()], nextCursor: null }), {
            headers: { 'content-type': 'application/json' },
          }),
        'GET /api/conversations/:id/messages': () =>
          new Response(
            JSON.stringify({
              items: [
                message({ id: '00000000-0000-4000-8000-000000000201', content: 'Question one' }),
                message({
                  id: '00000000-0000-4000-8000-000000000202',
                  role: 'assistant',
                  content: 'Half an',
                  status: 'interrupted',
                  errorCode: 'client_closed',
                }),
                message({ id: '00000000-0000-4000-8000-000000000203', content: 'Question two' }),
                message({
                  id: '00000000-0000-4000-8000-000000000204',
                  role: 'assistant',
                  content: '',
                  status: 'failed',
                  errorCode: 'llm_unavailable',
                }),
              ],
            }),
            { headers: { 'content-type': 'application/json' } },
          ),
      },
      `#/c/${CONVERSATION_ID}`,
    );
    await waitFor(() => expect(screen.getAllByRole('article')).toHaveLength(4));
    const [first, second] = screen.getAllByRole('article', { name: 'Assistant said' }).map((a) => defined(a));
    expect(within(defined(first)).getByText('Interrupted')).toBeTruthy();
    expect(defined(first).textContent).toContain('Half an');
    expect(within(defined(second)).getByText('Failed')).toBeTruthy();
    expect(defined(second).textContent).toContain('The model is unavailable right now.');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Trip to Lisbon');
    expect(input()).toBeTruthy();
  });

  it("says so when a conversation is not there (or is someone else's)", async () => {
    renderChat(
      {
        'GET /api/conversations/:id/messages': () =>
          errorResponse(404, 'not_found', 'Conversation not found'),
      },
      `#/c/${CONVERSATION_ID}`,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('That conversation no longer exists.');
    expect(within(alert).getByRole('link', { name: 'Start a new conversation' })).toBeTruthy();
  });

  it('stops the answer when the user opens another conversation, and shows that one cleanly', async () => {
    const other = conversation({ id: '00000000-0000-4000-8000-0000000000bb', title: 'Other talk' });
    const body = controlledBody();
    const { api, user, input } = renderChat(
      {
        'GET /api/conversations': () =>
          jsonResponse({
            items: [conversation({ id: CONVERSATION_ID, title: 'Current' }), other],
            nextCursor: null,
          }),
        'GET /api/conversations/:id/messages': ({ url }) =>
          jsonResponse({
            items: url.pathname.includes(other.id)
              ? [message({ conversationId: other.id, content: 'A question from before' })]
              : [],
          }),
        [SEND]: () => streamResponse(body.stream),
      },
      `#/c/${CONVERSATION_ID}`,
    );
    await waitFor(() => expect(input()).toHaveProperty('disabled', false));
    await user.type(input(), 'Long answer please{Enter}');
    act(() => body.push(sse('meta', META, 1) + sse('delta', { text: 'Once' }, 2)));
    await waitFor(() => expect(lastAnswer().textContent).toContain('Once'));

    await user.click(screen.getByRole('link', { name: 'Other talk' }));
    await screen.findByText('A question from before');
    const sent = api.sent('POST', `/api/conversations/${CONVERSATION_ID}/messages`);
    expect(sent.signal?.aborted).toBe(true);
    expect(screen.queryByText('Once')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Other talk');
  });

  it('signs out on a 401 the refresh cookie cannot cure', async () => {
    const { api } = renderChat({
      'GET /api/conversations': () => errorResponse(401, 'unauthorized', 'Token expired'),
    });
    await screen.findByRole('heading', { name: 'Sign in to Sluice' });
    expect(screen.getByRole('status').textContent).toContain('Your session ended');
    expect(api.calls('POST', '/api/auth/refresh').length).toBeGreaterThanOrEqual(1);
  });

  it('renews an expired access token through the refresh cookie and sends the call again', async () => {
    let listed = 0;
    const { api } = renderChat({
      'GET /api/conversations': () =>
        ++listed === 1
          ? errorResponse(401, 'unauthorized', 'The access token has expired')
          : jsonResponse({ items: [conversation({ title: 'After renewal' })], nextCursor: null }),
      'POST /api/auth/refresh': () =>
        jsonResponse({ accessToken: 'token-2', tokenType: 'Bearer', expiresIn: 900, user: USER }),
    });
    await screen.findByText('After renewal');
    const [first, second] = api.calls('GET', '/api/conversations');
    expect(first?.[1].headers).toMatchObject({ authorization: 'Bearer token-1' });
    expect(second?.[1].headers).toMatchObject({ authorization: 'Bearer token-2' });
    expect(api.calls('POST', '/api/auth/refresh')).toHaveLength(1);
    expect(screen.queryByRole('heading', { name: 'Sign in to Sluice' })).toBeNull();
  });

  it('sends the picked model and keeps it on the conversation', async () => {
    const { api, user, input } = renderChat({ [SEND]: () => streamResponse(answer(['ok'])) });
    const picker = await screen.findByRole('combobox', { name: 'Model' });
    await waitFor(() => expect(within(picker).getAllByRole('option')).toHaveLength(3));
    await user.selectOptions(picker, 'qwen3:8b');
    await user.type(input(), 'Hi{Enter}');
    await waitFor(() => expect(lastAnswer().getAttribute('data-status')).toBe('complete'));
    expect(api.sentBody('POST', '/api/conversations')).toEqual({ model: 'qwen3:8b' });
    expect(api.sentBody('POST', `/api/conversations/${CONVERSATION_ID}/messages`)).toEqual({
      content: 'Hi',
      model: 'qwen3:8b',
    });
  });
});
