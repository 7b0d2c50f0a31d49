SELECT 'before';
SELECT * FROM missing_table;
SELECT 'not reached';
