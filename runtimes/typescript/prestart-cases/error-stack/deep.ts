export function deep(n: number): string {
  if (n === 0) return new Error('deep').stack ?? '';
  return deep(n - 1);
}
