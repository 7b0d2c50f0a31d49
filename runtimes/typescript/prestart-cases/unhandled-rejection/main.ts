async function load(): Promise<number> {
  throw new TypeError("no data");
}
load();
setTimeout(() => console.log("never"), 100);
