export function check(n) {
  if (n < 0) throw new RangeError('negative: ' + n);
}
