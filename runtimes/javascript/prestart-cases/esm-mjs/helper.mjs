export const twice = (x) => x * 2;
console.log('helper', import.meta.url);
