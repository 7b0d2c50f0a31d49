-- .read paths are relative to the working directory, the project root.
.read lib/shapes.sql
INSERT INTO rectangles VALUES ('small', 3, 4);
SELECT area FROM areas WHERE name = 'small';
