let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => {
  const lines = text.split('\n').filter(Boolean);
  console.log(lines.length, 'lines,', text.length, 'chars; last:', lines.at(-1));
  console.log(lines.map(Number).reduce((a, b) => a + b, 0));
});
