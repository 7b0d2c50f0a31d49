// Ünïcödé: 日本語
const grüße: string = "héllo wörld ✓ 🎉";
console.log(grüße, grüße.length);
const n: number = "ü";
