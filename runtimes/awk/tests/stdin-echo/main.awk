# stdin is the program's input: each record (line) is printed back.
{ print }
