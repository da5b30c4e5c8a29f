import { createServer } from 'node:net';

/** An http URL on 127.0.0.1 where nothing listens (a port just released). */
export async function deadUrl(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const found = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(found));
    });
  });
  return `http://127.0.0.1:${port}`;
}
