import { describe, expect, it } from 'vitest';
import { redactUrl, serializeRequest } from './request-log.js';

describe('redactUrl', () => {
  it('redacts the value of every secret-named query parameter and keeps the rest as sent', () => {
    expect(redactUrl('/api/v1/runs/ws?ticket=abc&x=1')).toBe('/api/v1/runs/ws?ticket=[Redacted]&x=1');
    for (const name of [
      'api_key',
      'key',
      'token',
      'access_token',
      'API_KEY',
      'apiKey',
      'api%5Fkey',
      'password',
    ])
      expect(redactUrl(`/p?${name}=s3cr3t&lang=py`)).toBe(`/p?${name}=[Redacted]&lang=py`);
    expect(redactUrl('/p?a=1&b=%20x')).toBe('/p?a=1&b=%20x');
  });

  it('redacts secrets after ; separators, in ; path parameters and in a fragment', () => {
    expect(redactUrl('/p?x=1;token=s3cr3t')).toBe('/p?x=1;token=[Redacted]');
    expect(redactUrl('/api/v1/runs;api_key=s3cr3t')).toBe('/api/v1/runs;api_key=[Redacted]');
    expect(redactUrl('/p#access_token=s3cr3t&state=1')).toBe('/p#access_token=[Redacted]&state=1');
    expect(redactUrl('/p?key=a?key=b')).toBe('/p?key=[Redacted]');
  });

  it('leaves URLs without parameters alone', () => {
    expect(redactUrl('/api/v1/runs')).toBe('/api/v1/runs');
    expect(redactUrl('/api/v1/runs?')).toBe('/api/v1/runs?');
  });
});

describe('serializeRequest', () => {
  it('logs method, redacted URL and addresses, never headers', () => {
    const logged = serializeRequest({
      method: 'GET',
      url: '/api/v1/runtimes?api_key=s3cr3t',
      ip: '127.0.0.1',
      host: 'localhost',
      socket: { remotePort: 5000 },
      headers: { authorization: 'Bearer s3cr3t' },
    } as Parameters<typeof serializeRequest>[0]);
    expect(logged).toEqual({
      method: 'GET',
      url: '/api/v1/runtimes?api_key=[Redacted]',
      host: 'localhost',
      remoteAddress: '127.0.0.1',
      remotePort: 5000,
    });
  });
});
