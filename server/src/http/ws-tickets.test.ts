import { describe, expect, it } from 'vitest';
import { MemoryWsTicketStore, WsTickets } from './ws-tickets.js';

describe('WsTickets', () => {
  it('issues random base64url tickets of 256 bits with their lifetime', async () => {
    const tickets = new WsTickets(new MemoryWsTicketStore(), 30000);
    const issued = await Promise.all([1, 2, 3].map(() => tickets.issue({ rateKey: 'key:a' })));
    for (const { ticket, expiresInMs } of issued) {
      expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(ticket, 'base64url')).toHaveLength(32);
      expect(expiresInMs).toBe(30000);
    }
    expect(new Set(issued.map((i) => i.ticket)).size).toBe(3);
  });

  it('admits a ticket once, then never again', async () => {
    const tickets = new WsTickets(new MemoryWsTicketStore(), 30000);
    const { ticket } = await tickets.issue({ rateKey: 'key:a' });
    expect(await tickets.redeem(ticket)).toEqual({ rateKey: 'key:a' });
    expect(await tickets.redeem(ticket)).toBeNull();
  });

  it('refuses a ticket past its lifetime, and malformed or unknown ones', async () => {
    let now = 1000;
    const tickets = new WsTickets(new MemoryWsTicketStore(100, () => now), 5000);
    const { ticket } = await tickets.issue({ rateKey: 'key:a' });
    now += 5000;
    expect(await tickets.redeem(ticket)).toBeNull();
    expect(await tickets.redeem('')).toBeNull();
    expect(await tickets.redeem('x'.repeat(43))).toBeNull();
    expect(await tickets.redeem(`${ticket}=`)).toBeNull();
  });

  it('keeps at most maxTickets, dropping expired ones first and then the oldest', async () => {
    let now = 0;
    const store = new MemoryWsTicketStore(3, () => now);
    const tickets = new WsTickets(store, 1000);
    const first = await tickets.issue({ rateKey: 'a' });
    now = 2000; // `first` has expired
    const live = [];
    for (let i = 0; i < 4; i++) live.push(await tickets.issue({ rateKey: `k${i}` }));
    expect(store.size).toBe(3);
    expect(await tickets.redeem(first.ticket)).toBeNull();
    expect(await tickets.redeem(live[0]!.ticket)).toBeNull();
    expect(await tickets.redeem(live[3]!.ticket)).toEqual({ rateKey: 'k3' });
  });
});
