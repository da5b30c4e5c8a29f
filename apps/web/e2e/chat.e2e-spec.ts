// eslint-disable-next-line @nx/enforce-module-boundaries -- the browser tests drive a fake Ollama behind the API
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import type { Page } from 'playwright-core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a password the sign-up rule accepts
import { strongPassword } from '../../api/test/support/api-client';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the browser tests boot the real API
import { startTestApp, type TestApp } from '../../api/test/support/test-app';
import { type Browser, launchBrowser, screenshot } from './support/browser';
import { serveWeb, type WebServer } from './support/web-server';

const PASSWORD = strongPassword();
let counter = 0;
const uniqueEmail = (who: string) => `${who}-${process.pid}-${Date.now()}-${(counter += 1)}@example.com`;

/** What the chat shows: the messages in order, each with its role, status and visible text. */
interface ShownMessage {
  role: 'user' | 'assistant';
  status: string | null;
  text: string;
  badge: string | null;
}

async function shownMessages(page: Page): Promise<ShownMessage[]> {
  return page.locator('article.message').evaluateAll((articles) =>
    articles.map((article) => ({
      role: article.classList.contains('message--user') ? ('user' as const) : ('assistant' as const),
      status: article.getAttribute('data-status'),
      text: article.querySelector('.message__body')?.textContent ?? '',
      badge: article.querySelector('.badge')?.textContent ?? null,
    })),
  );
}

async function lastAnswer(page: Page): Promise<ShownMessage> {
  const answers = (await shownMessages(page)).filter((message) => message.role === 'assistant');
  const last = answers[answers.length - 1];
  if (last === undefined) throw new Error('no answer on the page');
  return last;
}

async function waitForLastAnswer(page: Page, status: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const answers = document.querySelectorAll('article.message--assistant');
      return answers[answers.length - 1]?.getAttribute('data-status') === wanted;
    },
    status,
    { timeout },
  );
}

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

async function signUp(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}#/sign-up`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

describe('the web app in Chromium (real API, PostgreSQL, fake Ollama)', () => {
  let ollama: FakeOllama;
  let api: TestApp;
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  /** The conversation of the first user that the second must not see. */
  let firstUsersConversation: { id: string; title: string };

  beforeAll(async () => {
    const distDir = process.env['SLUICE_WEB_E2E_DIST'];
    if (!distDir) throw new Error('SLUICE_WEB_E2E_DIST is not set: run through apps/web/jest.config.js');
    ollama = await startFakeOllama();
    api = await startTestApp({
      env: { OLLAMA_BASE_URL: ollama.url, LLM_MODEL: 'llama3.2:latest', WEB_DIST_DIR: distDir },
    });
    web = await serveWeb(api.url);
    browser = await launchBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await ollama?.close();
  });

  // Every screen works under the served Content-Security-Policy: nothing it blocks, ever.
  afterEach(() => {
    expect(browser.cspViolations.splice(0)).toEqual([]);
  });

  it('serves the app with its security headers: the page revalidated, the hashed bundle immutable and compressed', async () => {
    const index = await fetch(web.url);
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
    ])
      expect(csp.split(';')).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    if (script === undefined) throw new Error('no script in index.html');
    const bundle = await fetch(`${web.url}${script}`, { headers: { 'accept-encoding': 'br' } });
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(bundle.headers.get('content-encoding')).toBe('br');
    expect(bundle.headers.get('content-security-policy')).toBe(csp);
    expect((await fetch(`${web.url}${script}.map`)).status).toBe(404);
  });

  it('signs up and lands on an empty chat', async () => {
    await page.goto(`${web.url}#/sign-up`);
    await page.getByLabel('Email').fill(uniqueEmail('ada'));
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshot(page, '01-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(page.url()).toMatch(/#\/$/);
    await page.getByText('No conversations yet.').waitFor();
    // The model picker is fed by GET /api/models (the fake Ollama's list).
    await page
      .getByRole('combobox', { name: 'Model' })
      .locator('option', { hasText: 'llama3.2:latest' })
      .waitFor({
        state: 'attached',
      });
    await screenshot(page, '02-empty-chat');
  });

  it('sends a message and shows the answer growing in steps until it completes', async () => {
    const tokens = ['Rivers', ' carry', ' water', ' to', ' the', ' sea', ',', ' **slowly**', '.'];
    ollama.script({ tokens, delayMs: 150 });
    // Record every state the answer goes through, as the user would see it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __answerStates: string[] }).__answerStates = seen;
      new MutationObserver(() => {
        const answers = document.querySelectorAll('article.message--assistant');
        const last = answers[answers.length - 1];
        if (!last) return;
        const text = last.querySelector('.markdown, .message__text')?.textContent ?? '';
        seen.push(`${last.getAttribute('data-status')}|${text}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    await send(page, 'Where do rivers go?');
    await waitForLastAnswer(page, 'complete');

    const states = await page.evaluate(
      () => (window as unknown as { __answerStates: string[] }).__answerStates,
    );
    const finalText = 'Rivers carry water to the sea, slowly.';
    const partials = [
      ...new Set(
        states
          .filter((state) => state.startsWith('streaming|'))
          .map((state) => state.slice('streaming|'.length))
          .filter((text) => text !== '' && text !== finalText),
      ),
    ];
    expect(partials.length).toBeGreaterThanOrEqual(2);
    // Each is the start of the answer: rendered, or still raw where the Markdown is not closed yet (`**slo`).
    const raw = tokens.join('');
    const notPrefixes = partials.filter(
      (partial) => !finalText.startsWith(partial.trimEnd()) && !raw.startsWith(partial.trimEnd()),
    );
    expect(notPrefixes).toEqual([]);

    expect(await shownMessages(page)).toEqual([
      { role: 'user', status: null, text: 'Where do rivers go?', badge: null },
      { role: 'assistant', status: 'complete', text: finalText, badge: null },
    ]);
    // Rendered as Markdown, and the focus went back to the message box.
    expect(await page.locator('article.message--assistant strong').textContent()).toBe('slowly');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('composer__input'))).toBe(
      true,
    );
    // The conversation is in the list under the title the first message gave it, and in the address.
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('link', { name: 'Where do rivers go?' })
      .waitFor();
    expect(page.url()).toMatch(/#\/c\/[0-9a-f-]{36}$/);
    // The usage panel counts the answer.
    await page.locator('.usage__summary', { hasText: /tokens in\s+1\s+answer/ }).waitFor();
    await screenshot(page, '03-chat-answer');
  });

  it('highlights code and shows HTML from the model as text, in a real browser', async () => {
    ollama.script({
      tokens: [
        'Here:\n\n```ts\nconst answer = 42;\n```\n\n',
        '<img src="x" onerror="window.__pwned = 1">',
        ' <script>window.__pwned = 2</script>',
      ],
      delayMs: 20,
    });
    await page.getByRole('link', { name: '+ New conversation' }).click();
    await send(page, 'Show me code');
    await waitForLastAnswer(page, 'complete');

    const answer = page.locator('article.message--assistant').last();
    await answer.locator('pre code.hljs .hljs-keyword', { hasText: 'const' }).waitFor();
    expect(await answer.locator('img, script').count()).toBe(0);
    expect(await answer.textContent()).toContain('<img src="x" onerror="window.__pwned = 1">');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(page, '03b-code-and-html');
  });

  it('follows the answer unless the user scrolls up; stops it midway; after a reload it is there, marked interrupted', async () => {
    ollama.script({
      tokens: Array.from({ length: 600 }, (_, i) => `${i === 0 ? '' : '\n\n'}Line ${i}`),
      delayMs: 30,
    });
    await page.getByRole('link', { name: '+ New conversation' }).click();
    await send(page, 'Count for me, slowly');

    // Following: the newest line stays in view.
    const messages = page.locator('.messages');
    const distanceFromBottom = () =>
      messages.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    const height = () => messages.evaluate((el) => el.scrollHeight);
    const grownBy = (from: number, px: number) =>
      page.waitForFunction(
        ([start, by]) => (document.querySelector('.messages')?.scrollHeight ?? 0) > start + by,
        [from, px] as const,
      );
    await page.waitForFunction(() => {
      const el = document.querySelector('.messages');
      return el !== null && el.scrollHeight > el.clientHeight + 300;
    });
    expect(await distanceFromBottom()).toBeLessThan(50);
    await screenshot(page, '04-streaming');

    // The user scrolls up to read: the view stays there while the answer grows.
    await messages.hover();
    await page.mouse.wheel(0, -3000);
    const jump = page.getByRole('button', { name: /Jump to the latest/ });
    await jump.waitFor();
    await page.waitForTimeout(200); // let a smooth scroll settle
    const readingAt = await messages.evaluate((el) => el.scrollTop);
    await grownBy(await height(), 200);
    expect(Math.abs((await messages.evaluate((el) => el.scrollTop)) - readingAt)).toBeLessThan(5);
    expect(await distanceFromBottom()).toBeGreaterThan(200);

    // Back to the latest: following again.
    await jump.click();
    await grownBy(await height(), 100);
    expect(await distanceFromBottom()).toBeLessThan(50);

    await page.getByRole('button', { name: 'Stop' }).click();
    await waitForLastAnswer(page, 'interrupted');
    const stopped = await lastAnswer(page);
    expect(stopped.badge).toBe('Interrupted');
    expect(stopped.text).toMatch(/^Line 0\s+Line 1\s+Line 2\s/);
    expect(stopped.text).not.toContain('Line 599');
    await page.getByText('You stopped this answer.').waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('composer__input'))).toBe(
      true,
    );

    // The API saw the browser go away and closed the call to the model.
    const call = ollama.calls[ollama.calls.length - 1];
    if (call === undefined) throw new Error('the model was not called');
    expect((await ollama.waitForAbort(call, 5_000)).aborted).toBe(true);

    // A reload, then the conversation from the list.
    const conversationUrl = page.url();
    await page.goto(`${web.url}#/`);
    await page.reload();
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('link', { name: 'Count for me, slowly' })
      .click();
    await page.waitForFunction(() => document.querySelectorAll('article.message').length === 2);
    await page.locator('article.message--assistant .markdown').waitFor();
    expect(page.url()).toBe(conversationUrl);
    const reloaded = await lastAnswer(page);
    expect(reloaded.status).toBe('interrupted');
    expect(reloaded.badge).toBe('Interrupted');
    // What the user saw is kept (the server may have stored a few words more before it noticed).
    expect(reloaded.text.startsWith(stopped.text)).toBe(true);
    await screenshot(page, '05-interrupted-after-reload');

    firstUsersConversation = {
      id: conversationUrl.slice(conversationUrl.lastIndexOf('/') + 1),
      title: 'Count for me, slowly',
    };
  });

  it('says clearly when the model fails, keeps the partial answer, and sends again on request', async () => {
    ollama.script(
      {
        tokens: ['Half', ' an', ' answer', ' and', ' then'],
        errorAfterTokens: 3,
        streamErrorMessage: 'model runner crashed',
      },
      { tokens: ['Second', ' try', ' works.'] },
    );
    await page.getByRole('link', { name: '+ New conversation' }).click();
    await send(page, 'Will this work?');

    const alert = page.getByRole('alert');
    await alert.waitFor();
    await waitForLastAnswer(page, 'failed');
    const failed = await lastAnswer(page);
    expect(failed.badge).toBe('Failed');
    expect(failed.text).toBe('Half an answer');
    const alertText = (await alert.textContent()) ?? '';
    expect(alertText).toMatch(/The model (failed while answering|is unavailable right now)\./);
    // The upstream's own words stay in the API's log; the user gets a reference to quote.
    expect(alertText).not.toContain('model runner crashed');
    expect(alertText).toMatch(/Reference: [0-9a-f-]{36}/);
    await screenshot(page, '06-upstream-failed');

    await alert.getByRole('button', { name: 'Send again' }).click();
    await waitForLastAnswer(page, 'complete');
    expect((await lastAnswer(page)).text).toBe('Second try works.');
    expect(await alert.count()).toBe(0);
  });

  it('works on a narrow screen, with the conversations in a drawer', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    const sidebar = page.locator('#sidebar');
    await sidebar.waitFor({ state: 'hidden' });
    await screenshot(page, '07-narrow-chat');

    const menu = page.getByRole('button', { name: 'Conversations' });
    await menu.click();
    await sidebar.getByRole('link', { name: 'Will this work?' }).waitFor();
    await page.waitForTimeout(300); // the drawer's slide-in
    await screenshot(page, '08-narrow-drawer');
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      () => getComputedStyle(document.getElementById('sidebar') as HTMLElement).visibility === 'hidden',
    );
    expect(await menu.getAttribute('aria-expanded')).toBe('false');

    // The message box is usable at this width: nothing sticks out sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("does not show one user's conversations to another", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Sluice' }).waitFor();
    await signUp(page, web.url, uniqueEmail('bob'));

    await page.getByText('No conversations yet.').waitFor();
    expect(await page.getByRole('link', { name: firstUsersConversation.title }).count()).toBe(0);

    // Even with the address of the other user's conversation.
    await page.goto(`${web.url}#/c/${firstUsersConversation.id}`);
    await page.getByRole('alert').getByText('That conversation no longer exists.').waitFor();
    expect(await page.locator('article.message').count()).toBe(0);
    expect(await page.getByText('Count for me').count()).toBe(0);
    await screenshot(page, '09-other-users-conversation');

    expect(browser.pageErrors.filter((error) => error.startsWith('uncaught'))).toEqual([]);
  });

  it('keeps the session across a reload with no token a script can read; sign out ends it for good', async () => {
    await page.reload();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    const readable = await page.evaluate(() => ({
      local: JSON.stringify({ ...window.localStorage }),
      session: JSON.stringify({ ...window.sessionStorage }),
      cookies: document.cookie,
    }));
    expect(readable).toEqual({ local: '{}', session: '{}', cookies: '' });
    const cookies = await page.context().cookies();
    expect(
      cookies.map(({ name, httpOnly, secure, sameSite, path }) => ({
        name,
        httpOnly,
        secure,
        sameSite,
        path,
      })),
    ).toEqual([
      { name: 'sluice_refresh', httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/auth/refresh' },
    ]);

    // The refresh cookie, as an attacker who copied it before the sign-out would replay it.
    const copied = cookies[0]!.value;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Sluice' }).waitFor();
    const replay = await fetch(new URL('/api/auth/refresh', web.url), {
      method: 'POST',
      headers: { cookie: `sluice_refresh=${copied}` },
    });
    expect(replay.status).toBe(401);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Sluice' }).waitFor();
  });

  it('shows the OpenAPI UI (development) under its own policy, with nothing blocked', async () => {
    const docs = await browser.context.newPage();
    await docs.goto(new URL('/api/docs', web.url).href);
    await docs.getByText('Sluice API').first().waitFor();
    await docs.close();
  });
});
