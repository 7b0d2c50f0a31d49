function parsePositive(text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new RangeError(`not a positive number: ${text}`);
  return value;
}

console.log('before');
console.log(parsePositive('-3'));
