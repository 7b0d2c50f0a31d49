function parse(input) {
  if (input.length > 3) {
    throw new TypeError(`bad input: ${input}`);
  }
}
function run() { parse('abcdef'); }
console.log('start');
run();
