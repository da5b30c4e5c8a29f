import type { DataSource } from 'typeorm';
import { type MigratedDatabase, openMigratedDatabase } from '../../test/support/migrated-database';
import { MessageEntity } from './message.entity';
import { MessagesService } from './messages.service';

describe('MessagesService.history (integration, real PostgreSQL)', () => {
  let database: MigratedDatabase;
  let dataSource: DataSource;
  let messages: MessagesService;
  let userId: string;

  beforeAll(async () => {
    database = await openMigratedDatabase('history@example.com');
    ({ dataSource, userId } = database);
    messages = new MessagesService(dataSource, dataSource.getRepository(MessageEntity));
  });
  afterAll(() => database?.close());

  async function newConversation(): Promise<string> {
    const rows = await dataSource.query<{ id: string }[]>(
      `INSERT INTO conversations (user_id) VALUES ($1) RETURNING id`,
      [userId],
    );
    return rows[0]!.id;
  }

  /** Inserts the messages in order (each its own statement: `seq` follows the order). */
  async function add(conversationId: string, rows: [role: string, content: string, status?: string][]) {
    for (const [role, content, status = 'complete'] of rows) {
      await dataSource.query(
        `INSERT INTO messages (conversation_id, user_id, role, content, status) VALUES ($1, $2, $3, $4, $5)`,
        [conversationId, userId, role, content, status],
      );
    }
  }

  it('returns the newest messages whose UTF-8 bytes fit, oldest first', async () => {
    const id = await newConversation();
    // 10 bytes each with the per-message 4: "héllo" is 6 bytes, "世界" is 6.
    await add(id, [
      ['user', 'oldest'],
      ['assistant', 'héllo'],
      ['user', '世界'],
      ['assistant', 'newest'],
    ]);
    const limit = (maxBytes: number) => messages.history(id, { maxBytes, bytesPerMessage: 4 });
    await expect(limit(40)).resolves.toEqual([
      { role: 'user', content: 'oldest' },
      { role: 'assistant', content: 'héllo' },
      { role: 'user', content: '世界' },
      { role: 'assistant', content: 'newest' },
    ]);
    await expect(limit(39)).resolves.toEqual([
      { role: 'assistant', content: 'héllo' },
      { role: 'user', content: '世界' },
      { role: 'assistant', content: 'newest' },
    ]);
    await expect(limit(20)).resolves.toEqual([
      { role: 'user', content: '世界' },
      { role: 'assistant', content: 'newest' },
    ]);
    await expect(limit(9)).resolves.toEqual([]);
    await expect(limit(0)).resolves.toEqual([]);
  });

  it('leaves out answers that are streaming or failed, empty ones, and other conversations', async () => {
    const id = await newConversation();
    const other = await newConversation();
    await add(other, [['user', 'not mine']]);
    await add(id, [
      ['user', 'first'],
      ['assistant', 'cut short', 'interrupted'],
      ['user', 'second'],
      ['assistant', 'lost', 'failed'],
      ['user', 'third'],
      ['assistant', '', 'complete'],
      ['assistant', 'still going', 'streaming'],
    ]);
    await expect(messages.history(id, { maxBytes: 10_000, bytesPerMessage: 24 })).resolves.toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'cut short' },
      { role: 'user', content: 'second' },
      { role: 'user', content: 'third' },
    ]);
  });

  it('reads only as many rows as could fit, and all of those when the smallest fill it', async () => {
    const id = await newConversation();
    const letter = (i: number) => String.fromCharCode(97 + (i % 26));
    await dataSource.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, status)
       SELECT $1, $2, 'user', chr(97 + i % 26), 'complete' FROM generate_series(1, 1000) AS i`,
      [id, userId],
    );
    // One-byte messages cost 1 + 24: 250 bytes hold exactly 10, the most rows the query reads.
    const rows = await messages.history(id, { maxBytes: 250, bytesPerMessage: 24 });
    expect(rows.map((row) => row.content)).toEqual(Array.from({ length: 10 }, (_, i) => letter(991 + i)));
  });

  it('loads only the newest few from a 10 MB conversation', async () => {
    const id = await newConversation();
    await dataSource.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, status)
       SELECT $1, $2, CASE WHEN i % 2 = 1 THEN 'user' ELSE 'assistant' END,
              '#' || i || ' ' || repeat('wörds ' || md5(i::text) || ' ', 100), 'complete'
         FROM generate_series(1, 2500) AS i`,
      [id, userId],
    );
    const total = await dataSource.query<{ bytes: string }[]>(
      `SELECT sum(octet_length(content)) AS bytes FROM messages WHERE conversation_id = $1`,
      [id],
    );
    expect(Number(total[0]!.bytes)).toBeGreaterThan(10_000_000);

    const rows = await messages.history(id, { maxBytes: 100_000, bytesPerMessage: 24 });
    const bytes = rows.reduce((sum, row) => sum + Buffer.byteLength(row.content) + 24, 0);
    expect(bytes).toBeLessThanOrEqual(100_000);
    expect(bytes + 4_100).toBeGreaterThan(100_000); // the next older one would not have fit
    expect(rows.at(-1)!.content.startsWith('#2500 ')).toBe(true);
    expect(rows[0]!.content.startsWith(`#${2500 - rows.length + 1} `)).toBe(true);
  });
});
