console.log(JSON.stringify(Object.entries(process.env).sort()));
