export function sum(...xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
export class Stats {
  constructor(private readonly values: readonly number[]) {}
  mean(): number {
    return sum(...this.values) / this.values.length;
  }
}
