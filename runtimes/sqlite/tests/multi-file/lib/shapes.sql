CREATE TABLE rectangles(name TEXT PRIMARY KEY, w INTEGER, h INTEGER);
CREATE VIEW areas AS SELECT name, w * h AS area FROM rectangles;
