// Warm-up sample (tsc-prestart.cjs): the usual errors, so that the diagnostic paths are warm too.
import { missing } from './no-such-module';
import { area } from './shapes';

const n: number = 'text';
function f(a: string, b?: number): string {
  return a + b;
}
f(1);
f('a', 2, 3);
const o: { x: number } = { x: 1, y: 2 };
let u;
u.toFixed();
area({ kind: 'square' });
undefinedName.call();
class C {
  private p = 1;
}
new C().p;
const s: string | undefined = process.env.X;
s.length;
export { n, missing };
