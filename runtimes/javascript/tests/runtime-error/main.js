function parse(text) {
  return JSON.parse(text).value;
}
console.log(parse("{oops"));
