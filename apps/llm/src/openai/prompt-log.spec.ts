import { LOGGED_MESSAGES_MAX, LOGGED_TEXT_MAX, promptForLog } from './prompt-log';

describe('promptForLog', () => {
  it('logs roles and text, counts images', () => {
    expect(
      promptForLog([
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ]),
    ).toEqual([
      { role: 'system', text: 'be brief' },
      { role: 'user', text: 'what is this?', images: 1 },
    ]);
  });

  it('bounds what a caller can make it log: the newest messages, each text cut', () => {
    const messages = Array.from({ length: 1_000 }, (_, i) => ({ role: 'user' as const, content: `m${i}` }));
    messages.push({ role: 'user', content: 'y'.repeat(4 * 1024 * 1024) });
    const logged = promptForLog(messages);
    expect(logged).toHaveLength(LOGGED_MESSAGES_MAX + 1);
    expect(logged[0]).toEqual({ omitted: 1_001 - LOGGED_MESSAGES_MAX });
    expect(logged[1]).toEqual({ role: 'user', text: `m${1_001 - LOGGED_MESSAGES_MAX}` });
    expect(JSON.stringify(logged).length).toBeLessThan(LOGGED_MESSAGES_MAX * 100 + LOGGED_TEXT_MAX + 100);
  });
});
