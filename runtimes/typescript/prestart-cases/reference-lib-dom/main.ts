/// <reference lib="dom" />
const el: HTMLElement | null = null;
console.log(typeof document, el);
