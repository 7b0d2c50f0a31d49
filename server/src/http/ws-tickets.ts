import { createHash, randomBytes } from 'node:crypto';

/** What a ticket admits: the rate-limit budget its WebSocket connection counts against. */
export interface TicketGrant {
  /** Rate-limit key of the caller that asked for the ticket (an API key's id, or its address). */
  readonly rateKey: string;
}

/**
 * Where tickets wait to be redeemed. In memory now; a Redis-backed store (SET PX NX / GETDEL) fits the same
 * shape so several instances can share tickets. Ids are hashes of the tickets, never the tickets themselves.
 */
export interface WsTicketStore {
  /** Keeps `grant` under `id` for `ttlMs`. */
  put(id: string, grant: TicketGrant, ttlMs: number): Promise<void>;
  /** Returns the grant under `id` and forgets it, or null when unknown, already taken or expired. */
  take(id: string): Promise<TicketGrant | null>;
}

/**
 * Tickets in a Map, bounded in count: expired ones are dropped as new ones arrive, and past `maxTickets` the
 * oldest go first, so a flood of requests cannot grow memory without bound.
 */
export class MemoryWsTicketStore implements WsTicketStore {
  // Insertion order is expiry order while the TTL is one value, which lets `put` purge from the front.
  private readonly tickets = new Map<string, { grant: TicketGrant; expiresAt: number }>();

  constructor(
    private readonly maxTickets = 10000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of tickets held (expired ones included until the next put). */
  get size(): number {
    return this.tickets.size;
  }

  async put(id: string, grant: TicketGrant, ttlMs: number): Promise<void> {
    const now = this.now();
    for (const [oldId, entry] of this.tickets) {
      if (entry.expiresAt > now && this.tickets.size < this.maxTickets) break;
      this.tickets.delete(oldId);
    }
    this.tickets.set(id, { grant, expiresAt: now + ttlMs });
  }

  async take(id: string): Promise<TicketGrant | null> {
    const entry = this.tickets.get(id);
    if (!entry) return null;
    this.tickets.delete(id);
    return entry.expiresAt > this.now() ? entry.grant : null;
  }
}

/** 32 random bytes in base64url: 43 characters. */
const TICKET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Short-lived, single-use tickets that let a browser open a WebSocket without putting an API key in the URL
 * (browsers cannot set headers on a WebSocket). A ticket is 256 random bits; the store only sees its hash, so
 * neither the store nor a timing difference in its lookup gives a usable ticket away.
 *
 * @example
 *   const tickets = new WsTickets(new MemoryWsTicketStore(), 30000);
 *   const { ticket } = await tickets.issue({ rateKey: 'key:ab12' });
 *   await tickets.redeem(ticket); // { rateKey: 'key:ab12' }, then null on any second try
 */
export class WsTickets {
  constructor(
    private readonly store: WsTicketStore,
    /** How long a ticket stays valid, in ms. */
    readonly ttlMs: number,
  ) {}

  /** Creates a ticket for `grant`. */
  async issue(grant: TicketGrant): Promise<{ ticket: string; expiresInMs: number }> {
    const ticket = randomBytes(32).toString('base64url');
    await this.store.put(ticketId(ticket), grant, this.ttlMs);
    return { ticket, expiresInMs: this.ttlMs };
  }

  /** The grant of a valid ticket, used up by this call; null when the ticket is malformed, unknown, used or expired. */
  async redeem(ticket: string): Promise<TicketGrant | null> {
    if (!TICKET_FORMAT.test(ticket)) return null;
    return this.store.take(ticketId(ticket));
  }
}

function ticketId(ticket: string): string {
  return createHash('sha256').update(ticket).digest('base64url');
}
