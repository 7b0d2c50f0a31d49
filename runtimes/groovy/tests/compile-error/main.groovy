Strng greeting = 'Hello, World!'
println greeting
