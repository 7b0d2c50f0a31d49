-- shop.db comes with the exercise: the runtime opens the project's database file instead of an empty one.
SELECT name FROM products WHERE price > 5 ORDER BY price;
