import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import ipaddr from 'ipaddr.js';
import { createError } from '../errors/errors.js';
import type { RunView } from '../store/run-view.js';
import { timeoutSignal } from '../util/timeout-signal.js';

/**
 * Webhooks for finished runs (docs/api.md, "Webhooks"): a run's record is POSTed to its callbackUrl, signed,
 * retried, and only ever to public addresses unless the operator allows others (server-side request forgery:
 * a callbackUrl is an address the server connects to on a client's behalf).
 *
 * @example
 *   const webhooks = new WebhookSender({ secret, allowPrivate: false, logger });
 *   webhooks.check('https://example.com/hook'); // throws a 400 CodeRunnerError when refused
 *   webhooks.deliver('https://example.com/hook', runView(record)); // in the background, never throws
 */

/** Where callbacks may go: the part of the policy that holds at request time and again at delivery. */
export interface CallbackPolicy {
  /** False without WEBHOOK_SECRET: every callbackUrl is refused (400 CR_ERR_RUN_WEBHOOKS_DISABLED). */
  enabled: boolean;
  /** Let callbacks reach loopback, private and other non-public addresses (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Host names (or IP literals) exempt from the public-address rule, e.g. an internal receiver; exact match. */
  allowedHosts?: readonly string[];
}

/** The event name in X-CodeRunner-Event: a run reached a terminal state (finished, failed or cancelled). */
export const WEBHOOK_EVENT = 'run.finished';
/** How far a receiver should accept X-CodeRunner-Timestamp from its own clock (docs/api.md). */
export const SIGNATURE_TOLERANCE_S = 300;

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a unique-local (private) address',
  linkLocal: 'a link-local address (where cloud metadata services live)',
  carrierGradeNat: 'a shared (CGNAT) address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/**
 * Why an IP address is not a public unicast one a callback may reach, or null when it is. IPv4 must be outside
 * every special range ipaddr.js knows (IANA's special-purpose registries); IPv6 must be global unicast
 * (2000::/3) outside the special ranges, except that IPv4-mapped, IPv4-translated and NAT64 (64:ff9b::/96)
 * addresses are judged by the IPv4 address they carry. 6to4, Teredo and IPv4-compatible addresses are refused.
 */
export function addressProblem(address: string): string | null {
  if (isIP(address) === 0) return `${address} is not an IP address`;
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv4') {
    const range = (ip as ipaddr.IPv4).range();
    return range === 'unicast'
      ? null
      : `${address} is ${RANGE_NAMES[range] ?? `a special address (${range})`}`;
  }
  const v6 = ip as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || (range === 'rfc6052' && v6.match(NAT64_WELL_KNOWN))) {
    const inner = ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString();
    const problem = addressProblem(inner);
    return problem === null ? null : `${address} carries ${problem}`;
  }
  if (range !== 'unicast') {
    return `${address} is ${RANGE_NAMES[range] ?? `a special address (${range})`}`;
  }
  if (!v6.match(GLOBAL_UNICAST_V6)) {
    const compat = v6.parts.slice(0, 6).every((p) => p === 0);
    return `${address} is ${compat ? 'an IPv4-compatible address' : 'not a global unicast address'}`;
  }
  return null;
}

/** A URL's host as a bare name or address: lower case, without IPv6 brackets or a trailing dot. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

function isAllowedHost(host: string, policy: CallbackPolicy): boolean {
  return (policy.allowedHosts ?? []).some((h) => h.toLowerCase().replace(/\.$/, '') === host);
}

/** Why a callback URL is refused without resolving its name (scheme, userinfo, literal address), else null. */
export function callbackUrlProblem(raw: string, policy: CallbackPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  const host = bareHost(url);
  if (policy.allowPrivate || isAllowedHost(host, policy)) return null;
  // WHATWG parsing has already turned 2130706433, 0x7f.1, 127.1 and the like into dotted quads.
  if (isIP(host) !== 0) {
    const problem = addressProblem(host);
    return problem === null ? null : `must reach a public address: ${problem}`;
  }
  if (host === 'localhost' || host.endsWith('.localhost'))
    return `must reach a public address: ${host} is local`;
  return null;
}

/**
 * Request-time check of a run's callbackUrl (names are resolved only at delivery); throws a 400
 * CR_ERR_RUN_WEBHOOKS_DISABLED or CR_ERR_RUN_BAD_CALLBACK_URL naming why.
 */
export function checkCallbackUrl(raw: string | undefined, policy: CallbackPolicy): void {
  if (raw === undefined) return;
  if (!policy.enabled) throw createError('CR_ERR_RUN_WEBHOOKS_DISABLED');
  const problem = callbackUrlProblem(raw, policy);
  if (problem !== null) throw createError('CR_ERR_RUN_BAD_CALLBACK_URL', problem);
}

/** The hex HMAC-SHA256, under `secret`, of `${timestamp}.${body}`: X-CodeRunner-Signature without `sha256=`. */
export function signWebhook(secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** What a receiver does (docs/api.md): true when the signature matches and the timestamp is recent enough. */
export function verifyWebhook(input: {
  secret: string;
  body: string | Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs?: number;
  toleranceS?: number;
}): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d+$/.test(timestamp) || !signature?.startsWith('sha256=')) return false;
  const age = Math.abs((input.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (input.toleranceS ?? SIGNATURE_TOLERANCE_S)) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body), 'hex');
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookSenderOptions {
  /** WEBHOOK_SECRET: the HMAC key. Never logged. */
  secret: string;
  allowPrivate: boolean;
  allowedHosts?: readonly string[];
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Longest one try may take, connecting to response headers (WEBHOOK_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Waits between tries; one try more than delays. */
  retryDelaysMs?: readonly number[];
  /** Resolves a host name to every address (tests inject one); default dns.lookup with `all`. */
  resolve?: (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;
}

/** One try's outcome: delivered, or why not and whether another try could help. */
type TryOutcome =
  { ok: true; status: number } | { ok: false; retry: boolean; reason: string; status?: number };

/** A refusal by the address policy: final, never retried. */
class Refused extends Error {}

/**
 * Delivers run records to callback URLs: POST, JSON, signed (signWebhook), three tries by default with backoff
 * on network errors, timeouts, 408, 429 and 5xx; redirects are answers, never followed. Each try resolves the
 * name, requires every address to be public (unless allowed) and connects to the address it checked, so a
 * second DNS answer cannot swap in a private one (DNS rebinding).
 */
export class WebhookSender {
  private readonly policy: CallbackPolicy;
  private readonly timeoutMs: number;
  private readonly delays: readonly number[];
  private readonly resolve: NonNullable<WebhookSenderOptions['resolve']>;
  private readonly pending = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(private readonly options: WebhookSenderOptions) {
    if (options.secret === '') throw new Error('WebhookSender needs a secret (WEBHOOK_SECRET)');
    this.policy = {
      enabled: true,
      allowPrivate: options.allowPrivate,
      ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    };
    this.timeoutMs = options.timeoutMs ?? 10000;
    this.delays = options.retryDelaysMs ?? [1000, 4000];
    this.resolve = options.resolve ?? ((hostname) => dnsLookup(hostname, { all: true }));
  }

  /** checkCallbackUrl under this sender's policy: throws a 400 CodeRunnerError when the URL is refused. */
  check(url: string): void {
    checkCallbackUrl(url, this.policy);
  }

  /** Sends `payload` to `url` in the background; the outcome is logged (run id, host, never the secret). */
  deliver(url: string, payload: RunView): void {
    const delivery = randomUUID();
    const log = { run: payload.id, delivery, target: originOf(url) };
    if (this.closing.signal.aborted) {
      this.options.logger.warn({ ...log, reason: 'shutting down' }, 'webhook not delivered');
      return;
    }
    // Serialising inside the promise: whatever goes wrong is logged, never thrown at the run service.
    const task = Promise.resolve()
      .then(() => this.send(url, JSON.stringify(payload), delivery))
      .then(({ attempts, last }) => {
        if (last.ok) this.options.logger.info({ ...log, attempts, status: last.status }, 'webhook delivered');
        else {
          const status = last.status === undefined ? {} : { status: last.status };
          this.options.logger.warn(
            { ...log, attempts, ...status, reason: last.reason },
            'webhook not delivered',
          );
        }
      })
      .catch((err: unknown) => {
        this.options.logger.warn({ ...log, reason: String(err) }, 'webhook not delivered');
      })
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves once every delivery under way has ended (tests; shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Shutdown: tries under way finish (each bounded by the timeout), no retry starts, new deliveries are dropped. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.settled();
  }

  private async send(
    url: string,
    body: string,
    delivery: string,
  ): Promise<{ attempts: number; last: TryOutcome }> {
    let attempts = 0;
    for (;;) {
      attempts++;
      const last = await this.tryOnce(url, body, delivery);
      const delay = this.delays[attempts - 1];
      if (last.ok || !last.retry || delay === undefined) return { attempts, last };
      try {
        await sleep(delay, undefined, { signal: this.closing.signal });
      } catch {
        return { attempts, last: { ...last, reason: `${last.reason}; not retried: shutting down` } };
      }
    }
  }

  private async tryOnce(raw: string, body: string, delivery: string): Promise<TryOutcome> {
    let target: { url: URL; host: string; address: string; family: number };
    try {
      target = await this.vet(raw);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { ok: false, retry: !(err instanceof Refused), reason };
    }
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'CodeRunner-Webhook',
      'x-coderunner-event': WEBHOOK_EVENT,
      'x-coderunner-delivery': delivery,
      'x-coderunner-timestamp': timestamp,
      'x-coderunner-signature': `sha256=${signWebhook(this.options.secret, timestamp, body)}`,
    };
    const timeout = timeoutSignal(this.timeoutMs);
    try {
      const status = await post(target, headers, body, timeout);
      if (status >= 200 && status < 300) return { ok: true, status };
      const retry = status >= 500 || status === 408 || status === 429;
      const reason =
        status >= 300 && status < 400
          ? `answered ${status}; redirects are not followed`
          : `answered ${status}`;
      return { ok: false, retry, reason, status };
    } catch (err) {
      const reason = timeout.aborted
        ? `no answer within ${this.timeoutMs} ms`
        : err instanceof Error
          ? err.message
          : String(err);
      return { ok: false, retry: true, reason };
    }
  }

  /** The URL, its host and the one address to connect to, every address of the name having passed the policy. */
  private async vet(raw: string): Promise<{ url: URL; host: string; address: string; family: number }> {
    const problem = callbackUrlProblem(raw, this.policy);
    if (problem !== null) throw new Refused(`callbackUrl ${problem}`);
    const url = new URL(raw);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    // A literal address passed callbackUrlProblem; there is nothing to resolve.
    if (family !== 0) return { url, host, address: host, family };
    const addresses = await this.resolve(host);
    const first = addresses[0];
    if (!first) throw new Error(`${host} resolved to no address`);
    if (!this.policy.allowPrivate && !isAllowedHost(bareHost(url), this.policy)) {
      for (const { address } of addresses) {
        const why = addressProblem(address);
        if (why !== null) throw new Refused(`${host} resolves to ${why}`);
      }
    }
    return { url, host, address: first.address, family: first.family };
  }
}

/** POSTs once and resolves with the status; the connection goes to `target.address`, Host and SNI stay the name. */
function post(
  target: { url: URL; host: string; address: string; family: number },
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<number> {
  const { url, address, family } = target;
  // Node asks for every address when it may race IPv4 and IPv6 (autoSelectFamily); either way only this one.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({
      protocol: url.protocol,
      hostname: target.host,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers,
      // A connection of its own: a pooled socket could have been opened under another policy.
      agent: false,
      lookup: pinned,
      signal,
    });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      // The answer's body is of no use; a receiver that streams one must not hold the connection.
      res.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.end(body);
  });
}

/** The URL's origin for logs: no path or query, where tokens often travel. */
function originOf(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return '(invalid URL)';
  }
}
