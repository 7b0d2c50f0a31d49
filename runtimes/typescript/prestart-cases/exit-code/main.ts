console.log("out");
console.error("err");
process.exit(3);
