// Splits the arguments field the way a POSIX shell would for plain words: whitespace separates, '…' is literal,
// "…" allows \" \\ \$ \` escapes, and a backslash outside quotes escapes the next character. No expansion.

/** The argument list, or what is wrong with the text (an unclosed quote). */
export function parseArgs(text: string): { args: string[] } | { problem: string } {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
      i += 1;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) return { problem: "the arguments have an unclosed ' quote" };
      current += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i += 1;
      let closed = false;
      while (i < text.length) {
        const c = text[i] as string;
        if (c === '"') {
          closed = true;
          i += 1;
          break;
        }
        if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) {
          current += text[i + 1];
          i += 2;
        } else {
          current += c;
          i += 1;
        }
      }
      if (!closed) return { problem: 'the arguments have an unclosed " quote' };
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += text[i + 1];
      inWord = true;
      i += 2;
    } else {
      current += ch;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) args.push(current);
  return { args };
}
