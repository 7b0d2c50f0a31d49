double :: Int -> Int
double x = x * 2

main :: IO ()
main = putStrLn (double 21)
