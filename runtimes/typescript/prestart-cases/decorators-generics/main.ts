function logged<This, Args extends unknown[], R>(
  target: (this: This, ...args: Args) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
) {
  return function (this: This, ...args: Args): R {
    console.log(`call ${String(context.name)}(${args.join(', ')})`);
    return target.call(this, ...args);
  };
}
class Calc {
  #base = 10;
  @logged
  add(n: number): number {
    return this.#base + n;
  }
}
type Keys<T> = { [K in keyof T]: T[K] extends Function ? K : never }[keyof T];
const k: Keys<Calc> = 'add';
enum Dir { Up = 1, Down }
const tuple = [1, 'a'] as const satisfies readonly unknown[];
console.log(new Calc().add(5), k, Dir.Down, Dir[2], tuple, 10n ** 3n, [1, 2, 3].findLast((x) => x < 3));
