import type { DataSource } from 'typeorm';
import { type MigratedDatabase, openMigratedDatabase } from '../../test/support/migrated-database';
import { AnswerLeases, STALE_AFTER_MS } from './answer-leases';
import { MessageEntity } from './message.entity';
import { MessagesService } from './messages.service';

describe('AnswerLeases (integration, real PostgreSQL)', () => {
  let database: MigratedDatabase;
  let dataSource: DataSource;
  let messages: MessagesService;
  let conversationId: string;
  let userId: string;

  beforeAll(async () => {
    database = await openMigratedDatabase('lease@example.com');
    ({ dataSource, userId } = database);
    messages = new MessagesService(dataSource, dataSource.getRepository(MessageEntity));
    const conversations = await dataSource.query<{ id: string }[]>(
      `INSERT INTO conversations (user_id) VALUES ($1) RETURNING id`,
      [userId],
    );
    conversationId = conversations[0]!.id;
  });
  afterAll(() => database?.close());

  /** A `streaming` answer last renewed `ageMs` ago. */
  async function streamingAnswer(ageMs: number): Promise<string> {
    const rows = await dataSource.query<{ id: string }[]>(
      `INSERT INTO messages (conversation_id, user_id, role, content, status, updated_at)
       VALUES ($1, $2, 'assistant', 'so far', 'streaming', now() - make_interval(secs => $3))
       RETURNING id`,
      [conversationId, userId, ageMs / 1000],
    );
    return rows[0]!.id;
  }

  const statusOf = async (id: string) =>
    (
      await dataSource.query<{ status: string; error_code: string | null; content: string }[]>(
        `SELECT status, error_code, content FROM messages WHERE id = $1`,
        [id],
      )
    )[0];

  it('at boot, interrupts the answers nobody renewed and leaves a live replica’s alone', async () => {
    const orphan = await streamingAnswer(STALE_AFTER_MS + 5_000);
    const anotherReplicas = await streamingAnswer(2_000);
    const leases = new AnswerLeases(messages);
    await leases.onApplicationBootstrap();
    leases.onModuleDestroy();
    expect(await statusOf(orphan)).toEqual({
      status: 'interrupted',
      error_code: 'server_restarted',
      content: 'so far',
    });
    expect(await statusOf(anotherReplicas)).toMatchObject({ status: 'streaming' });
  });

  it('renews what this process streams, so no replica’s sweep takes it, until released', async () => {
    const leases = new AnswerLeases(messages);
    const mine = await streamingAnswer(STALE_AFTER_MS - 1_000);
    const release = leases.hold(mine);
    // Time passes: without the renewal on this beat, the next sweep would find it stale.
    await dataSource.query(
      `UPDATE messages SET updated_at = now() - make_interval(secs => $2) WHERE id = $1`,
      [mine, (STALE_AFTER_MS - 1_000) / 1000],
    );
    await leases.tick();
    await dataSource.query(
      `UPDATE messages SET updated_at = updated_at - make_interval(secs => $2) WHERE id = $1`,
      [mine, 30],
    );
    await leases.tick(); // renewed again first, then swept: still alive
    expect(await statusOf(mine)).toMatchObject({ status: 'streaming' });

    release();
    await dataSource.query(
      `UPDATE messages SET updated_at = now() - make_interval(secs => $2) WHERE id = $1`,
      [mine, (STALE_AFTER_MS + 1_000) / 1000],
    );
    await leases.tick();
    expect(await statusOf(mine)).toMatchObject({ status: 'interrupted' });
  });

  it('never touches an answer that finished', async () => {
    const leases = new AnswerLeases(messages);
    const finished = await streamingAnswer(STALE_AFTER_MS * 2);
    await dataSource.query(`UPDATE messages SET status = 'complete' WHERE id = $1`, [finished]);
    await dataSource.query(`UPDATE messages SET updated_at = now() - interval '1 hour' WHERE id = $1`, [
      finished,
    ]);
    leases.hold(finished);
    await leases.tick();
    const row = await dataSource.query<{ status: string; stale: boolean }[]>(
      `SELECT status, updated_at < now() - interval '59 minutes' AS stale FROM messages WHERE id = $1`,
      [finished],
    );
    expect(row).toEqual([{ status: 'complete', stale: true }]);
  });
});
