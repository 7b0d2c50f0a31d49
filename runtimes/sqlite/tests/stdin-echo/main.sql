-- The program's stdin is data: .import loads it into a one-column table, one row per line
-- (the column separator is set to the unused \037 so that no line is ever split), and the
-- SELECT writes the lines back in input order. The source '|cat' makes the shell read the
-- inherited stdin through a pipe; it works wherever /dev/stdin cannot be reopened.
CREATE TABLE input(line TEXT);
.separator "\037" "\n"
.import '|cat' input
SELECT line FROM input ORDER BY rowid;
