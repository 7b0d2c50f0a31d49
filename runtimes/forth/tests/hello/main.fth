." Hello, World!" cr
