const el = document.createElement("div");
const s = "abc".at(-1);
console.log(el, s);
