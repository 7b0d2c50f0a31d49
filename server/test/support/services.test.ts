// The test servers (redis-server.ts, postgres-server.ts): each starts on loopback, answers its real client, and is
// gone (port closed, folder removed) after stop().
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres-server.js';
import { startRedis } from './redis-server.js';

/** True when something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startRedis', () => {
  it('starts a Redis on a loopback port that answers its client and is gone after stop', async () => {
    const redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await client.ping()).toBe('PONG');
      await client.set('greeting', 'héllo');
      expect(await client.get('greeting')).toBe('héllo');
      // Persistence is off: nothing is ever written to the temporary folder.
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      await client.quit();
    }
    await redis.stop();
    await redis.stop(); // a second stop is harmless
    expect(await accepts(redis.port)).toBe(false);
  });

  it('gives two servers two ports', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('startPostgres', () => {
  it('starts a PostgreSQL on a loopback port whose database answers queries, and removes it on stop', async () => {
    const server = await startPostgres();
    const url = new URL(server.url);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('127.0.0.1');
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    let dataDir: string;
    try {
      const { rows } = await client.query<{ db: string; answer: number; dir: string }>(
        "SELECT current_database() AS db, 6 * 7 AS answer, current_setting('data_directory') AS dir",
      );
      expect(rows[0]).toMatchObject({ db: url.pathname.slice(1), answer: 42 });
      dataDir = rows[0]!.dir;
      expect(existsSync(dataDir)).toBe(true);
    } finally {
      await client.end();
    }
    await server.stop();
    await server.stop();
    expect(await accepts(Number(url.port))).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);
});
