// Warm-up sample (tsc-prestart.cjs): a program such as requests send, compiled before the hand-over.
import * as fs from 'fs';
import { readFileSync } from 'node:fs';
import * as path from 'path';
import { Shape, Circle, Rect, area, describe } from './shapes';

interface Options {
  readonly name: string;
  count?: number;
  tags: string[];
}

type Result<T> = { ok: true; value: T } | { ok: false; error: Error };

enum Color {
  Red = 'red',
  Green = 'green',
}

abstract class Base<T> {
  protected items: T[] = [];
  constructor(public readonly label: string) {}
  abstract render(item: T): string;
  add(...items: T[]): this {
    this.items.push(...items);
    return this;
  }
  get size(): number {
    return this.items.length;
  }
}

class Lines extends Base<number> {
  render(item: number): string {
    return `${this.label}: ${item.toFixed(2)}`;
  }
}

function parse(text: string): Result<number> {
  const n = Number.parseInt(text, 10);
  return Number.isNaN(n) ? { ok: false, error: new RangeError(`not a number: ${text}`) } : { ok: true, value: n };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function* count(limit: number): Generator<number, void, undefined> {
  for (let i = 0; i < limit; i++) yield i;
}

const shapes: Shape[] = [new Circle(1), new Rect(2, 3)];
const byKind = new Map<string, number>();
for (const s of shapes) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + area(s));
const options: Options = { name: 'warm', tags: ['a', 'b'], count: 2 };
const picked = Object.entries(byKind).map(([k, v]) => ({ k, v })).filter(({ v }) => v > 1);
const lines = new Lines('n').add(...count(3));
const results = ['1', 'x'].map(parse);
const colors = Object.values(Color) as Color[];
const json = JSON.stringify({ options, picked, size: lines.size, results, colors, sum: [1, 2, 3].reduce((a, b) => a + b, 0) });

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  if (argv.includes('--stdin')) console.log((await readAll(process.stdin)).trim());
  if (fs.existsSync(path.join(__dirname, 'x')) && readFileSync(__filename, 'utf8').length < 0) return 1;
  console.log(json, describe(shapes[0]!));
  try {
    throw new TypeError('caught');
  } catch (err: unknown) {
    if (err instanceof Error) process.stderr.write(`${err.message}\n`);
  }
  setTimeout(() => process.exit(0), 1);
  return 0;
}

main().then((code) => {
  process.exitCode = code;
});
