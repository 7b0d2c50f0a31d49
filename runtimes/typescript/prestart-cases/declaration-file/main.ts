const c: Config = { name: "x", retries: 2 };
(globalThis as any).BUILD = "b1";
console.log(c.name, c.retries, BUILD);
