console.log(process.argv[1], __filename);
