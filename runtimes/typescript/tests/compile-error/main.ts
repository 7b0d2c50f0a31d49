let count: number = 0;
count = 'not a number';
console.log(count);
