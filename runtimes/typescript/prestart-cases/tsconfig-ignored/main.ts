let x: number = null as any;
console.log(x);
