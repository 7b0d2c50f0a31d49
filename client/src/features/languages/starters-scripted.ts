// Starter programs for interpreted languages: each asks for a name on stdin and greets it, so a new student
// sees both output and typed input work. Entry names follow the runtimes' conformance programs.
import type { Starter } from './starter';

export const SCRIPTED_STARTERS: Record<string, Starter> = {
  python: {
    entry: 'main.py',
    content: `name = input("What is your name? ")
print(f"Hello, {name}!")
`,
  },
  javascript: {
    entry: 'main.js',
    content: `const readline = require("node:readline/promises");

async function main() {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const name = await rl.question("What is your name? ");
  rl.close();
  console.log(\`Hello, \${name}!\`);
}

main();
`,
  },
  ruby: {
    entry: 'main.rb',
    content: `print "What is your name? "
$stdout.flush
name = ($stdin.gets || "").chomp
puts "Hello, #{name}!"
`,
  },
  bash: {
    entry: 'main.sh',
    content: `printf 'What is your name? '
read -r name
echo "Hello, $name!"
`,
  },
  lua: {
    entry: 'main.lua',
    content: `io.write("What is your name? ")
io.flush()
local name = io.read("l") or ""
print("Hello, " .. name .. "!")
`,
  },
  perl: {
    entry: 'main.pl',
    content: `use strict;
use warnings;

$| = 1;
print "What is your name? ";
my $name = <STDIN> // '';
chomp $name;
print "Hello, $name!\\n";
`,
  },
  php: {
    entry: 'main.php',
    content: `<?php
echo "What is your name? ";
$name = trim((string) fgets(STDIN));
echo "Hello, $name!\\n";
`,
  },
  r: {
    entry: 'main.R',
    content: `cat("What is your name? ")
name <- readLines(file("stdin"), n = 1)
cat("Hello, ", name, "!\\n", sep = "")
`,
  },
  elixir: {
    entry: 'main.exs',
    content: `name = IO.gets("What is your name? ") |> to_string() |> String.trim()
IO.puts("Hello, #{name}!")
`,
  },
  octave: {
    entry: 'main.m',
    content: `name = input("What is your name? ", "s");
printf("Hello, %s!\\n", name);
`,
  },
  tcl: {
    entry: 'main.tcl',
    content: `puts -nonewline "What is your name? "
flush stdout
gets stdin name
puts "Hello, $name!"
`,
  },
  awk: {
    entry: 'main.awk',
    content: `BEGIN { printf "What is your name? "; fflush() }
{ print "Hello, " $0 "!"; exit }
`,
  },
  racket: {
    entry: 'main.rkt',
    content: `#lang racket/base

(display "What is your name? ")
(flush-output)
(define name (read-line))
(printf "Hello, ~a!\\n" (if (eof-object? name) "" name))
`,
  },
  scheme: {
    entry: 'main.scm',
    content: `(use-modules (ice-9 rdelim))

(display "What is your name? ")
(force-output)
(let ((name (read-line)))
  (display (string-append "Hello, " (if (eof-object? name) "" name) "!"))
  (newline))
`,
  },
  commonlisp: {
    entry: 'main.lisp',
    content: `(format t "What is your name? ")
(finish-output)
(let ((name (or (read-line *standard-input* nil) "")))
  (format t "Hello, ~a!~%" name))
`,
  },
  prolog: {
    entry: 'main.pl',
    content: `:- initialization(main, main).

main :-
    write('What is your name? '),
    flush_output,
    read_line_to_string(user_input, Name),
    format("Hello, ~w!~n", [Name]).
`,
  },
  forth: {
    entry: 'main.fth',
    content: `\\ Forth words print with ." and end the line with cr.
." Hello, World!" cr
`,
  },
  sqlite: {
    entry: 'main.sql',
    content: `-- SQLite runs this script against an empty in-memory database.
CREATE TABLE greetings(name TEXT);
INSERT INTO greetings VALUES ('world'), ('students');
SELECT 'Hello, ' || name || '!' FROM greetings;
`,
  },
};
