import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig, prestartAllowed } from './config.js';

describe('loadConfig', () => {
  it('gives every key its default', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.POOL_SIZE).toBe(3);
    expect(config.RUN_DEFAULT_TIMEOUT_MS).toBe(5000);
    expect(config.SERVE_CLIENT).toBe(true);
    expect(config.languages).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses lists and per-language pool sizes', () => {
    const config = loadConfig({ LANGUAGES: 'python, javascript', POOL_SIZES: 'python=5,javascript=0' });
    expect(config.languages).toEqual(['python', 'javascript']);
    expect(config.poolSizes).toEqual({ python: 5, javascript: 0 });
  });

  it('reports every bad key in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', POOL_SIZE: '-1', SANDBOX_RUNTIME: 'crun', POOL_SIZES: 'python=x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['PORT', 'POOL_SIZE=', 'SANDBOX_RUNTIME', 'POOL_SIZES'])
      expect(problems).toContain(key);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('reads RUN_PRESTART as on, off or the languages that may pre-start', () => {
    expect(prestartAllowed(loadConfig({}), 'python')).toBe(true);
    for (const [value, python, java] of [
      ['true', true, true],
      ['1', true, true],
      ['false', false, false],
      ['0', false, false],
      ['python, javascript', true, false],
      ['java', false, true],
    ] as const) {
      const config = loadConfig({ RUN_PRESTART: value });
      expect([prestartAllowed(config, 'python'), prestartAllowed(config, 'java')], value).toEqual([
        python,
        java,
      ]);
    }
    for (const bad of ['python,', 'Python', 'python,,java', 'python;java'])
      expect(() => loadConfig({ RUN_PRESTART: bad }), bad).toThrow(
        /RUN_PRESTART.*true, false or comma-separated/,
      );
  });

  it('refuses a default above its maximum', () => {
    expect(() => loadConfig({ RUN_DEFAULT_TIMEOUT_MS: '9000', RUN_MAX_TIMEOUT_MS: '1000' })).toThrow(
      /RUN_DEFAULT_TIMEOUT_MS/,
    );
  });

  it('reads TRUST_PROXY as Fastify trustProxy: false, true or a list of addresses, never a hop count', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(() => loadConfig({ TRUST_PROXY: '2' })).toThrow(/TRUST_PROXY="2": hop counts are not accepted/);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,loopback' }).TRUST_PROXY).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example', '10.0.0.1,10.0.0.300'])
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
  });

  it('takes a postgres:// or postgresql:// DATABASE_URL and never quotes a bad one, which may hold a password', () => {
    expect(loadConfig({}).DATABASE_URL).toBe('');
    for (const url of ['postgres://u:p@db:5432/runs', 'postgresql://db/runs'])
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:s3cret-pw@db/runs' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('DATABASE_URL: must start with postgres://');
    expect((error as ConfigError).message).not.toContain('s3cret-pw');
  });

  it('is documented key by key in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const [key, schema] of Object.entries(configSchema.shape)) {
      const fallback = String((schema as { parse(v: undefined): unknown }).parse(undefined));
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
      expect(row, `docs/configuration.md has no row for ${key}`).toBeDefined();
      expect(row).toContain(`\`${fallback === '' ? '(empty)' : fallback}\``);
    }
  });
});
