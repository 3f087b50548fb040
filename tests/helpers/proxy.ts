import net from 'node:net';
import type { Db } from '../../server/db/db.ts';
import { createPostgresDb } from '../../server/db/postgres.ts';
import { testDb } from './db.ts';

/** A TCP proxy to host:port that can be cut (all sockets destroyed, port closed) and restored on the same port. */
export class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly host: string, private readonly targetPort: number) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** The database "goes away": open connections are reset, new ones refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}

/**
 * The test database (`db`, of this worker's schema) opened a second time through a cuttable proxy
 * (`viaProxy`): what an app sees of a database that can go away while the test still reaches it.
 */
export async function proxiedTestDb(max: number): Promise<{ proxy: CuttableProxy; viaProxy: Db; schema: string }> {
  const db = await testDb();
  const { rows } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  const target = new URL(process.env.TEST_DATABASE_URL!);
  const proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
  await proxy.open();
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return { proxy, viaProxy: createPostgresDb({ connectionString: url.toString(), schema: rows[0]!.schema, max }), schema: rows[0]!.schema };
}
