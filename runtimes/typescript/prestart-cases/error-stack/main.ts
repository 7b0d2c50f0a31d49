// err.stack and console.trace with source maps: positions in the .ts files, through async and class frames.
import { deep } from './deep';

class Service<T> {
  constructor(private readonly value: T) {}
  async fetch(): Promise<T> {
    await Promise.resolve();
    throw new Error(`failed with ${String(this.value)}`);
  }
}

const line = (stack: string | undefined): string => (stack ?? '').split('\n').slice(0, 4).join('\n');
console.log(line(new Error('here').stack));
console.log(deep(2));
new Service(42).fetch().catch((err: Error) => {
  console.log(line(err.stack));
  console.trace('traced');
});
