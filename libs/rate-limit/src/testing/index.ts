import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A Redis outage to point a client at: a `redis://` URL and a way to end it. */
export interface Outage {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on: connections are refused at once. */
export async function closedPort(): Promise<Outage> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return { url: `redis://127.0.0.1:${port}`, close: async () => undefined };
}

/** A server that accepts connections and never answers: a Redis stuck before its first reply. */
export async function silentServer(): Promise<Outage> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A TCP proxy to a real Redis that, once `stall()` is called, stops passing anything either way. */
export async function stallingProxy(target: string): Promise<Outage & { stall(): void }> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort || 6379), hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk: Buffer) => void (stalled || to.write(chunk)));
      from.on('close', () => to.destroy());
      from.on('error', () => to.destroy());
    }
  });
  const port = await listen(server);
  return {
    url: `redis://127.0.0.1:${port}`,
    stall: () => void (stalled = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
