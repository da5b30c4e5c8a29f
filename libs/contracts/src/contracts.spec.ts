import {
  API_ERROR_CODES,
  createConversationBodySchema,
  pagingQuerySchema,
  parseChatStreamEvent,
  registerBodySchema,
  sendMessageBodySchema,
  updateConversationBodySchema,
  usageQuerySchema,
} from './index';

describe('contracts', () => {
  it('normalises the email and enforces the password policy on register', () => {
    expect(registerBodySchema.parse({ email: '  Ada@Example.COM ', password: 'correct horse' })).toEqual({
      email: 'ada@example.com',
      password: 'correct horse',
    });
    const result = registerBodySchema.safeParse({ email: 'not-an-email', password: 'short' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['email', 'password']);
  });

  it('coerces and bounds the paging query', () => {
    expect(pagingQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(pagingQuerySchema.parse({ limit: '5', cursor: 'abc' })).toEqual({ limit: 5, cursor: 'abc' });
    expect(pagingQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(pagingQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
    expect(pagingQuerySchema.safeParse({ limit: 'ten' }).success).toBe(false);
  });

  it('validates conversation bodies', () => {
    expect(createConversationBodySchema.parse({})).toEqual({});
    expect(createConversationBodySchema.parse({ title: ' Trip ', model: 'ollama/llama3.2:latest' })).toEqual({
      title: 'Trip',
      model: 'ollama/llama3.2:latest',
    });
    expect(createConversationBodySchema.safeParse({ model: 'rm -rf' }).success).toBe(false);
    expect(updateConversationBodySchema.safeParse({}).success).toBe(false);
    expect(updateConversationBodySchema.parse({ model: null })).toEqual({ model: null });
  });

  it('refuses a blank message', () => {
    expect(sendMessageBodySchema.safeParse({ content: ' \n ' }).success).toBe(false);
    expect(sendMessageBodySchema.safeParse({}).success).toBe(false);
    expect(sendMessageBodySchema.parse({ content: ' hi ' })).toEqual({ content: ' hi ' });
  });

  it('checks usage days', () => {
    expect(usageQuerySchema.safeParse({ from: '2025-02-01', to: '2025-01-01' }).success).toBe(false);
    expect(usageQuerySchema.safeParse({ from: '2025-13-01' }).success).toBe(false);
    expect(usageQuerySchema.parse({ from: '2025-01-01' })).toEqual({ from: '2025-01-01' });
    expect(usageQuerySchema.parse({ from: '1970-01-01', to: '9999-12-31' })).toEqual({
      from: '1970-01-01',
      to: '9999-12-31',
    });
    for (const day of ['0000-01-01', '0001-01-01', '1969-12-31', '+10000-01-01', '10000-01-01']) {
      expect([day, usageQuerySchema.safeParse({ from: day }).success]).toEqual([day, false]);
      expect([day, usageQuerySchema.safeParse({ to: day }).success]).toEqual([day, false]);
    }
  });

  it('parses browser stream events and ignores unknown names', () => {
    expect(parseChatStreamEvent('delta', '{"text":"Hi"}')).toEqual({ event: 'delta', data: { text: 'Hi' } });
    expect(parseChatStreamEvent('ping', '{}')).toBeUndefined();
    expect(() => parseChatStreamEvent('error', '{"code":"nope","message":"x","retryable":false}')).toThrow();
    expect(API_ERROR_CODES).toContain('llm_unavailable');
  });
});
