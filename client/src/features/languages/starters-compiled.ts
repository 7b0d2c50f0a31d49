// Starter programs for compiled languages: ask for a name on stdin and greet it. The prompt is flushed before
// reading, or it would only appear after the student answered.
import type { Starter } from './starter';

export const COMPILED_STARTERS: Record<string, Starter> = {
  c: {
    entry: 'main.c',
    content: `#include <stdio.h>
#include <string.h>

int main(void) {
    char name[100] = "";
    printf("What is your name? ");
    fflush(stdout);
    if (fgets(name, sizeof name, stdin))
        name[strcspn(name, "\\n")] = '\\0';
    printf("Hello, %s!\\n", name);
    return 0;
}
`,
  },
  cpp: {
    entry: 'main.cpp',
    content: `#include <iostream>
#include <string>

int main() {
    std::string name;
    std::cout << "What is your name? " << std::flush;
    std::getline(std::cin, name);
    std::cout << "Hello, " << name << "!\\n";
    return 0;
}
`,
  },
  rust: {
    entry: 'main.rs',
    content: `use std::io::{self, Write};

fn main() {
    print!("What is your name? ");
    io::stdout().flush().unwrap();
    let mut name = String::new();
    io::stdin().read_line(&mut name).unwrap();
    println!("Hello, {}!", name.trim());
}
`,
  },
  go: {
    entry: 'main.go',
    content: `package main

import (
\t"bufio"
\t"fmt"
\t"os"
\t"strings"
)

func main() {
\tfmt.Print("What is your name? ")
\tname, _ := bufio.NewReader(os.Stdin).ReadString('\\n')
\tfmt.Printf("Hello, %s!\\n", strings.TrimSpace(name))
}
`,
  },
  typescript: {
    entry: 'main.ts',
    content: `import * as readline from 'readline/promises';

async function main(): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const name = await rl.question('What is your name? ');
  rl.close();
  console.log(\`Hello, \${name}!\`);
}

void main();
`,
  },
  csharp: {
    entry: 'Program.cs',
    content: `using System;

class Program
{
    static void Main()
    {
        Console.Write("What is your name? ");
        string name = Console.ReadLine() ?? "";
        Console.WriteLine($"Hello, {name}!");
    }
}
`,
  },
  d: {
    entry: 'main.d',
    content: `import std.stdio;
import std.string : strip;

void main()
{
    write("What is your name? ");
    stdout.flush();
    auto name = readln().strip();
    writeln("Hello, ", name, "!");
}
`,
  },
  haskell: {
    entry: 'main.hs',
    content: `import System.IO

main :: IO ()
main = do
  putStr "What is your name? "
  hFlush stdout
  name <- getLine
  putStrLn ("Hello, " ++ name ++ "!")
`,
  },
  ocaml: {
    entry: 'main.ml',
    content: `let () =
  print_string "What is your name? ";
  flush stdout;
  let name = try input_line stdin with End_of_file -> "" in
  Printf.printf "Hello, %s!\\n" name
`,
  },
  erlang: {
    entry: 'main.erl',
    content: `-module(main).
-export([main/1]).

main(_Args) ->
    Name = string:trim(io:get_line("What is your name? ")),
    io:format("Hello, ~s!~n", [Name]).
`,
  },
  fortran: {
    entry: 'main.f90',
    content: `program hello
  implicit none
  character(len=100) :: name

  write (*, '(a)', advance='no') 'What is your name? '
  flush (6)
  read (*, '(a)') name
  write (*, '(3a)') 'Hello, ', trim(name), '!'
end program hello
`,
  },
  pascal: {
    entry: 'main.pas',
    content: `program Hello;

var
  Name: AnsiString;

begin
  Write('What is your name? ');
  Flush(Output);
  ReadLn(Name);
  WriteLn('Hello, ', Name, '!');
end.
`,
  },
  ada: {
    entry: 'main.adb',
    content: `with Ada.Text_IO; use Ada.Text_IO;

procedure Main is
begin
   Put ("What is your name? ");
   Flush;
   declare
      Name : constant String := (if End_Of_File then "" else Get_Line);
   begin
      Put_Line ("Hello, " & Name & "!");
   end;
end Main;
`,
  },
  nasm: {
    entry: 'main.asm',
    content: `; Hello world with Linux x86-64 system calls.
        global  _start

        section .rodata
message: db      "Hello, World!", 10
length:  equ     $ - message

        section .text
_start:
        mov     eax, 1                  ; write(1, message, length)
        mov     edi, 1
        lea     rsi, [rel message]
        mov     edx, length
        syscall
        mov     eax, 60                 ; exit(0)
        xor     edi, edi
        syscall
`,
  },
  crystal: {
    entry: 'main.cr',
    content: `print "What is your name? "
STDOUT.flush
name = (gets || "").chomp
puts "Hello, #{name}!"
`,
  },
};
