import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { addressProblem } from '../../runs/webhooks.js';

/**
 * True for an address a public callback must not reach unless JUDGE0_CALLBACKS_ALLOW_PRIVATE: the same rule as
 * CodeRunner's own webhooks (loopback, private, link-local, CGNAT, reserved, and IPv6 forms carrying them).
 */
export function isPrivateAddress(address: string): boolean {
  return addressProblem(address) !== null;
}

/** Why a callback URL is refused at creation (scheme, or a literal private address), else null. */
export function callbackUrlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (
    !allowPrivate &&
    (isIP(host) !== 0 ? isPrivateAddress(host) : host === 'localhost' || host.endsWith('.localhost'))
  )
    return 'must not point at a loopback or private address';
  return null;
}

/**
 * PUTs `body` to the callback URL, up to `tries` times, each bounded by `timeoutMs`; like Judge0
 * (isolate_job.rb#call_callback, HTTParty) any HTTP answer ends the attempts and only failures to get one
 * retry. Names are resolved at connection time and private addresses refused then too (DNS rebinding).
 */
export async function sendCallback(
  rawUrl: string,
  body: string,
  options: { tries: number; timeoutMs: number; allowPrivate: boolean; signal: AbortSignal },
): Promise<{ status: number | null; attempts: number }> {
  const guarded: LookupFunction = (hostname, opts, callback) => {
    lookup(hostname, { ...opts, all: false }, (err, address, family) => {
      if (err) return callback(err, '', 0);
      if (!options.allowPrivate && isPrivateAddress(String(address)))
        return callback(new Error(`callback address ${String(address)} is private`), '', 0);
      callback(null, address, family);
    });
  };
  let attempts = 0;
  for (let i = 0; i < options.tries && !options.signal.aborted; i++) {
    attempts++;
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL(rawUrl);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (isIP(host) !== 0 && !options.allowPrivate && isPrivateAddress(host)) {
          reject(new Error('private address'));
          return;
        }
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: options.timeoutMs,
          lookup: guarded,
          signal: options.signal,
        });
        req.on('timeout', () => req.destroy(new Error('callback timed out')));
        req.on('error', reject);
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.end(body);
      });
      return { status, attempts };
    } catch {
      // The next try, as Judge0's `rescue Exception` does.
    }
  }
  return { status: null, attempts };
}
