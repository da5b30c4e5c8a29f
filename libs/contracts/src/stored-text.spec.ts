import { createConversationBodySchema, updateConversationBodySchema } from './conversations';
import { sendMessageBodySchema } from './chat';
import { storedTextSchema } from './stored-text';

const paths = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('stored text', () => {
  it('refuses U+0000 anywhere, and keeps every other character', () => {
    expect(storedTextSchema.safeParse('a\u0000b').success).toBe(false);
    expect(storedTextSchema.parse('tabs\tnew\nlines, emoji 🦙, \u0001 and a lone \ud800')).toBe(
      'tabs\tnew\nlines, emoji 🦙, \u0001 and a lone \ud800',
    );
  });

  it('names the field of every body the API stores', () => {
    const nul = 'before\u0000after';
    const message = 'must not contain the NUL character (U+0000)';
    expect(paths(createConversationBodySchema.safeParse({ title: nul }))).toEqual([`title: ${message}`]);
    expect(paths(updateConversationBodySchema.safeParse({ title: nul }))).toEqual([`title: ${message}`]);
    expect(paths(sendMessageBodySchema.safeParse({ content: nul }))).toEqual([`content: ${message}`]);
    expect(paths(sendMessageBodySchema.safeParse({ content: 'hi', model: 'llama\u0000' }))).toEqual([
      expect.stringMatching(/^model: .*printable ASCII/),
    ]);
  });
});
