import { boundLogFields, errorForLog } from './bounded-log';

describe('bounded log lines', () => {
  it('cuts every long string field, stacks with more room, and leaves the rest as it is', () => {
    const fields = { model: 'llama3.2', status: 200, error: 'e'.repeat(50_000), stack: 's'.repeat(50_000) };
    const bounded = boundLogFields(fields);
    expect(bounded.model).toBe('llama3.2');
    expect(bounded.status).toBe(200);
    expect((bounded.error as string).length).toBeLessThan(1_100);
    expect((bounded.stack as string).length).toBeLessThan(8_300);
    expect(bounded.stack).toMatch(/^s{8192}…\[41808 more characters\]$/);
    expect(fields.error).toHaveLength(50_000);
    const short = { a: 'b' };
    expect(boundLogFields(short)).toBe(short);
  });

  it('serialises an error with its message and stack bounded', () => {
    const error = Object.assign(new TypeError(`bad value ${'v'.repeat(10_000)}`), { code: 'E_BAD' });
    const logged = errorForLog(error);
    expect(logged).toMatchObject({ type: 'TypeError', code: 'E_BAD' });
    expect(logged.message.length).toBeLessThan(1_100);
    expect(logged.stack.length).toBeLessThan(8_300);
    expect(errorForLog('thrown string' as unknown as Error)).toMatchObject({ message: 'thrown string' });
  });
});
