console.log("fine");
const x = ;
