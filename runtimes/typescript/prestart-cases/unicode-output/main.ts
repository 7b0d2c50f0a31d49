const grüße: string = "héllo wörld ✓ 🎉";
console.log(grüße, [...grüße].length);
throw new Error(`fehlgeschlagen: ${grüße}`);
