import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeRunnerError } from '../errors/errors.js';
import type { RunView } from '../store/run-view.js';
import {
  addressProblem,
  callbackUrlProblem,
  checkCallbackUrl,
  signWebhook,
  verifyWebhook,
  WebhookSender,
  type WebhookSenderOptions,
} from './webhooks.js';

const SECRET = 'test-secret-0123456789abcdef';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
  at: number;
}

/** A loopback receiver; `answer` decides each reply (default 200). */
async function receiver(answer: (n: number, res: ServerResponse) => void = (_, res) => res.end('ok')) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        url: req.url ?? '',
        at: Date.now(),
      });
      answer(received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { received, port, url: `http://127.0.0.1:${port}/hook?token=abc` };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

function logger() {
  const lines: Array<{ level: 'info' | 'warn'; obj: Record<string, unknown>; msg: string }> = [];
  return {
    lines,
    info: (obj: object, msg: string) =>
      lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg: string) =>
      lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
}

function sender(options: Partial<WebhookSenderOptions> = {}) {
  const log = logger();
  const webhooks = new WebhookSender({
    secret: SECRET,
    allowPrivate: true,
    logger: log,
    retryDelaysMs: [20, 40],
    timeoutMs: 2000,
    ...options,
  });
  return { webhooks, log };
}

const payload = { id: 'run-1', status: 'finished', result: { stdout: 'héllo\n' } } as unknown as RunView;

describe('webhook signatures', () => {
  it('signs the timestamp, a dot and the raw body with HMAC-SHA256 of the secret', async () => {
    const { received, url } = await receiver();
    const { webhooks } = sender();
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    expect(JSON.parse(body)).toEqual(payload);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toBe('CodeRunner-Webhook');
    expect(headers['x-coderunner-event']).toBe('run.finished');
    expect(headers['x-coderunner-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const timestamp = headers['x-coderunner-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const signature = headers['x-coderunner-signature'] as string;
    expect(signature).toBe(`sha256=${signWebhook(SECRET, timestamp, body)}`);
    expect(verifyWebhook({ secret: SECRET, body, timestamp, signature })).toBe(true);
    expect(verifyWebhook({ secret: 'another secret', body, timestamp, signature })).toBe(false);
    expect(verifyWebhook({ secret: SECRET, body: `${body} `, timestamp, signature })).toBe(false);
    expect(verifyWebhook({ secret: SECRET, body, timestamp: String(Number(timestamp) + 1), signature })).toBe(
      false,
    );
    // A replay older than five minutes is refused even with its genuine signature.
    const later = Number(timestamp) * 1000 + 301_000;
    expect(verifyWebhook({ secret: SECRET, body, timestamp, signature, nowMs: later })).toBe(false);
  });

  it('logs the run, the origin and the outcome, never the secret, the path or the query', async () => {
    const { url } = await receiver();
    const { webhooks, log } = sender();
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({
      level: 'info',
      msg: 'webhook delivered',
      obj: { run: 'run-1', attempts: 1, status: 200 },
    });
    const text = JSON.stringify(log.lines);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('token=abc');
  });

  it('refuses to be built without a secret', () => {
    expect(() => new WebhookSender({ secret: '', allowPrivate: false, logger: logger() })).toThrow(/secret/);
  });
});

describe('webhook retries', () => {
  it('tries three times with the configured backoff while the receiver answers 500, keeping one delivery id', async () => {
    const { received, url } = await receiver((n, res) => {
      res.statusCode = n < 3 ? 500 : 200;
      res.end();
    });
    const { webhooks, log } = sender();
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['x-coderunner-delivery'])).size).toBe(1);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(15);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(35);
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', obj: { attempts: 3, status: 200 } });
  });

  it('gives up after three tries and logs the last answer', async () => {
    const { received, url } = await receiver((_, res) => {
      res.statusCode = 503;
      res.end();
    });
    const { webhooks, log } = sender();
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(received).toHaveLength(3);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'webhook not delivered',
      obj: { run: 'run-1', attempts: 3, status: 503 },
    });
  });

  it('retries 429 and 408 but not other 4xx answers', async () => {
    for (const [status, tries] of [
      [429, 3],
      [408, 3],
      [400, 1],
      [404, 1],
      [410, 1],
    ] as const) {
      const { received, url } = await receiver((_, res) => {
        res.statusCode = status;
        res.end();
      });
      const { webhooks } = sender({ retryDelaysMs: [1, 1] });
      webhooks.deliver(url, payload);
      await webhooks.settled();
      expect(received, String(status)).toHaveLength(tries);
    }
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    const { received, url } = await receiver(() => undefined);
    const { webhooks, log } = sender({ timeoutMs: 150, retryDelaysMs: [1, 1] });
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(received).toHaveLength(3);
    expect(log.lines.at(-1)).toMatchObject({ level: 'warn', obj: { reason: 'no answer within 150 ms' } });
  });

  it('retries when nothing listens', async () => {
    const { port } = await receiver();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const { webhooks, log } = sender({ retryDelaysMs: [1, 1] });
    webhooks.deliver(`http://127.0.0.1:${port}/`, payload);
    await webhooks.settled();
    expect(log.lines.at(-1)).toMatchObject({ level: 'warn', obj: { attempts: 3 } });
    expect(String(log.lines.at(-1)!.obj.reason)).toMatch(/ECONNREFUSED/);
  });

  it('does not follow a redirect, and does not retry it', async () => {
    const elsewhere = await receiver();
    const { received, url } = await receiver((_, res) => {
      res.writeHead(307, { location: elsewhere.url });
      res.end();
    });
    const { webhooks, log } = sender();
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      obj: { status: 307, reason: 'answered 307; redirects are not followed' },
    });
  });

  it('on close lets a try under way end, starts no retry and drops new deliveries', async () => {
    const { received, url } = await receiver((_, res) => {
      res.statusCode = 500;
      res.end();
    });
    const { webhooks, log } = sender({ retryDelaysMs: [60000, 60000] });
    webhooks.deliver(url, payload);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await webhooks.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(received).toHaveLength(1);
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(received).toHaveLength(1);
    expect(log.lines.map((l) => l.obj.reason)).toEqual([
      'answered 500; not retried: shutting down',
      'shutting down',
    ]);
  });
});

describe('callback URL policy at request time', () => {
  const closed = { enabled: true, allowPrivate: false };

  function refusal(url: string): string {
    try {
      checkCallbackUrl(url, closed);
    } catch (err) {
      expect(err).toBeInstanceOf(CodeRunnerError);
      expect((err as CodeRunnerError).code).toBe('CR_ERR_RUN_BAD_CALLBACK_URL');
      expect((err as CodeRunnerError).statusCode).toBe(400);
      return (err as CodeRunnerError).message;
    }
    return 'accepted';
  }

  it.each([
    ['http://127.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://2130706433/', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f000001/', /127\.0\.0\.1 is a loopback address/],
    ['http://127.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://0177.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://%31%32%37.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://\uff11\uff12\uff17.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://127.0.0.1./', /127\.0\.0\.1 is a loopback address/],
    ['http://0/', /0\.0\.0\.0 is the unspecified address/],
    ['http://0.0.0.0:8080/', /unspecified/],
    ['http://10.1.2.3/', /a private address/],
    ['http://172.16.0.1/', /a private address/],
    ['http://192.168.1.1/', /a private address/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://100.64.0.1/', /CGNAT/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://240.0.0.1/', /reserved/],
    ['http://192.0.2.1/', /reserved/],
    ['http://[::1]/', /::1 is a loopback address/],
    ['http://[::]/', /unspecified/],
    ['http://[fc00::1]/', /unique-local/],
    ['http://[fd12:3456::1]/', /unique-local/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[ff02::1]/', /multicast/],
    ['http://[::ffff:127.0.0.1]/', /::ffff:7f00:1 carries 127\.0\.0\.1 is a loopback address/],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', /carries 127\.0\.0\.1 is a loopback address/],
    ['http://[::ffff:169.254.169.254]/', /carries 169\.254\.169\.254 is a link-local address/],
    ['http://[::ffff:0:10.0.0.1]/', /carries 10\.0\.0\.1 is a private address/],
    ['http://[64:ff9b::127.0.0.1]/', /64:ff9b::7f00:1 carries 127\.0\.0\.1 is a loopback address/],
    ['http://[64:ff9b::10.0.0.1]/', /carries 10\.0\.0\.1 is a private address/],
    ['http://[64:ff9b:1::1]/', /special address \(rfc6052\)/],
    ['http://[::127.0.0.1]/', /::7f00:1 is an IPv4-compatible address/],
    ['http://[2002:7f00:1::]/', /special address \(6to4\)/],
    ['http://[2001::1]/', /teredo/],
    ['http://[2001:db8::1]/', /reserved/],
    ['http://localhost/', /localhost is local/],
    ['http://LocalHost:3000/', /localhost is local/],
    ['http://localhost./', /localhost is local/],
    ['http://api.localhost/', /api\.localhost is local/],
    ['http://user:pass@example.com/', /must not carry a user name or password/],
    ['http://127.0.0.1:80@example.com/', /must not carry a user name or password/],
    ['ftp://example.com/', /must be an http:\/\/ or https:\/\/ URL/],
    ['file:///etc/passwd', /must be an http:\/\/ or https:\/\/ URL/],
    ['http://[fe80::1%25eth0]/', /is not a valid URL/],
    ['http://example.com:99999/', /is not a valid URL/],
  ])('refuses %s', (url, reason) => {
    expect(refusal(url)).toMatch(reason);
    expect(refusal(url)).toMatch(/^callbackUrl /);
  });

  it.each([
    'https://example.com/hook',
    'http://93.184.216.34:8080/x?y=1',
    'http://[2606:4700::1111]/',
    'http://[::ffff:8.8.8.8]/',
    'https://hooks.example.com./path',
    'http://evil.com#@127.0.0.1/',
  ])('accepts %s', (url) => {
    expect(refusal(url)).toBe('accepted');
  });

  it('lets loopback and private literals through with allowPrivate, but never userinfo or other schemes', () => {
    const open = { enabled: true, allowPrivate: true };
    expect(callbackUrlProblem('http://127.0.0.1:9/', open)).toBeNull();
    expect(callbackUrlProblem('http://localhost/', open)).toBeNull();
    expect(callbackUrlProblem('http://[::1]/', open)).toBeNull();
    expect(callbackUrlProblem('http://u@127.0.0.1/', open)).toMatch(/user name/);
    expect(callbackUrlProblem('gopher://127.0.0.1/', open)).toMatch(/http/);
  });

  it('lets an allowed host through by name or literal', () => {
    const policy = { enabled: true, allowPrivate: false, allowedHosts: ['Hooks.Internal', '10.0.0.7'] };
    expect(callbackUrlProblem('http://hooks.internal./x', policy)).toBeNull();
    expect(callbackUrlProblem('http://10.0.0.7/', policy)).toBeNull();
    expect(callbackUrlProblem('http://10.0.0.8/', policy)).toMatch(/private/);
  });

  it('refuses every callbackUrl when webhooks are off, and ignores a run without one', () => {
    expect(() => checkCallbackUrl('https://example.com/', { enabled: false, allowPrivate: false })).toThrow(
      expect.objectContaining({ code: 'CR_ERR_RUN_WEBHOOKS_DISABLED', statusCode: 400 }),
    );
    expect(() => checkCallbackUrl(undefined, { enabled: false, allowPrivate: false })).not.toThrow();
  });

  it('classifies resolved addresses the same way', () => {
    expect(addressProblem('8.8.8.8')).toBeNull();
    expect(addressProblem('2a00:1450:4001:80b::200e')).toBeNull();
    expect(addressProblem('127.0.0.53')).toMatch(/loopback/);
    expect(addressProblem('fe80::1%eth0')).toMatch(/link-local/);
    expect(addressProblem('not-an-ip')).toMatch(/not an IP address/);
  });
});

describe('webhook delivery and DNS', () => {
  it('refuses a name that resolves to a private address, without connecting, and does not retry', async () => {
    const { received, port } = await receiver();
    const asked: string[] = [];
    const { webhooks, log } = sender({
      allowPrivate: false,
      resolve: (host) => {
        asked.push(host);
        return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      },
    });
    webhooks.deliver(`http://hooks.example.com:${port}/`, payload);
    await webhooks.settled();
    expect(received).toHaveLength(0);
    expect(asked).toEqual(['hooks.example.com']);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      obj: { attempts: 1, reason: 'hooks.example.com resolves to 127.0.0.1 is a loopback address' },
    });
  });

  it('refuses a name when any one of its addresses is private', async () => {
    const { webhooks, log } = sender({
      allowPrivate: false,
      resolve: () =>
        Promise.resolve([
          { address: '93.184.216.34', family: 4 },
          { address: '::ffff:169.254.169.254', family: 6 },
        ]),
    });
    webhooks.deliver('https://hooks.example.com/', payload);
    await webhooks.settled();
    expect(String(log.lines.at(-1)!.obj.reason)).toMatch(/169\.254\.169\.254 is a link-local address/);
  });

  it('refuses a literal private address at delivery too', async () => {
    const { received, url } = await receiver();
    const { webhooks, log } = sender({ allowPrivate: false });
    webhooks.deliver(url, payload);
    await webhooks.settled();
    expect(received).toHaveLength(0);
    expect(String(log.lines.at(-1)!.obj.reason)).toMatch(/loopback/);
  });

  it('connects to the address it checked, keeping the name in Host (no second lookup to rebind)', async () => {
    const { received, port } = await receiver();
    let lookups = 0;
    const { webhooks, log } = sender({
      allowPrivate: false,
      allowedHosts: ['receiver.test'],
      // A name the system resolver does not know: the connection can only come from the vetted answer.
      resolve: () => {
        lookups++;
        return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      },
    });
    webhooks.deliver(`http://receiver.test:${port}/hook`, payload);
    await webhooks.settled();
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', msg: 'webhook delivered' });
    expect(lookups).toBe(1);
    expect(received[0]!.headers.host).toBe(`receiver.test:${port}`);
    expect(received[0]!.url).toBe('/hook');
  });

  it('lets loopback through with allowPrivate', async () => {
    const { received, url } = await receiver();
    const { webhooks } = sender({ allowPrivate: true });
    webhooks.deliver(url, payload);
    webhooks.deliver(url.replace('127.0.0.1', 'localhost'), payload);
    await webhooks.settled();
    expect(received).toHaveLength(2);
    expect(received[0]!.url).toBe('/hook?token=abc');
  });

  it('never throws from deliver, even for a payload that cannot be serialised', async () => {
    const { webhooks, log } = sender();
    const circular: Record<string, unknown> = { id: 'run-2' };
    circular.self = circular;
    expect(() => webhooks.deliver('not a url', circular as unknown as RunView)).not.toThrow();
    await webhooks.settled();
    expect(log.lines.at(-1)).toMatchObject({ level: 'warn', obj: { run: 'run-2', target: '(invalid URL)' } });
  });
});
