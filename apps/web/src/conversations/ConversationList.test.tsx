import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../app/App';
import { conversation, fakeApi, SESSION } from '../test-support/fake-api';
import { jsonResponse } from '../test-support/sse';

const A = conversation({
  id: '00000000-0000-4000-8000-00000000000a',
  title: 'Older',
  updatedAt: '2025-01-01T00:00:00.000Z',
});
const B = conversation({
  id: '00000000-0000-4000-8000-00000000000b',
  title: 'Newer',
  updatedAt: '2025-01-03T00:00:00.000Z',
});

function renderList() {
  window.location.hash = `#/c/${B.id}`;
  const api = fakeApi({
    'GET /api/conversations': () => jsonResponse({ items: [B, A], nextCursor: null }),
    'GET /api/conversations/:id/messages': () => jsonResponse({ items: [] }),
    'PATCH /api/conversations/:id': ({ body }) =>
      jsonResponse({ ...A, ...(body as object), updatedAt: '2025-01-04T00:00:00.000Z' }),
    'DELETE /api/conversations/:id': () => new Response(null, { status: 204 }),
  });
  render(<App fetch={api.fetch} initialSession={SESSION} />);
  return { api, user: userEvent.setup() };
}

const nav = () => screen.getByRole('navigation', { name: 'Conversations' });
const titles = () =>
  within(nav())
    .getAllByRole('link')
    .map((link) => link.textContent);

describe('ConversationList', () => {
  it('lists newest first and marks the open one', async () => {
    renderList();
    await waitFor(() => expect(titles()).toEqual(['Newer', 'Older']));
    expect(within(nav()).getByRole('link', { name: 'Newer' }).getAttribute('aria-current')).toBe('page');
  });

  it('renames with the keyboard', async () => {
    const { api, user } = renderList();
    await waitFor(() => expect(titles()).toHaveLength(2));
    await user.click(within(nav()).getByRole('button', { name: 'Rename Older' }));
    const input = within(nav()).getByRole('textbox', { name: 'New title for Older' });
    await user.clear(input);
    await user.type(input, 'Lisbon trip{Enter}');
    await waitFor(() => expect(titles()).toEqual(['Lisbon trip', 'Newer']));
    expect(api.sentBody('PATCH', `/api/conversations/${A.id}`)).toEqual({ title: 'Lisbon trip' });
  });

  it('cancels a rename with Escape', async () => {
    const { api, user } = renderList();
    await waitFor(() => expect(titles()).toHaveLength(2));
    await user.click(within(nav()).getByRole('button', { name: 'Rename Older' }));
    await user.keyboard('Something{Escape}');
    expect(titles()).toEqual(['Newer', 'Older']);
    expect(api.calls('PATCH', `/api/conversations/${A.id}`)).toHaveLength(0);
  });

  it('deletes after a confirmation, and leaves a deleted open conversation', async () => {
    const { api, user } = renderList();
    await waitFor(() => expect(titles()).toHaveLength(2));
    await user.click(within(nav()).getByRole('button', { name: 'Delete Newer' }));
    expect(within(nav()).getByText('Delete “Newer”? This cannot be undone.')).toBeTruthy();
    await user.click(within(nav()).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(titles()).toEqual(['Older']));
    expect(api.calls('DELETE', `/api/conversations/${B.id}`)).toHaveLength(1);
    expect(window.location.hash).toBe('#/');
  });
});
