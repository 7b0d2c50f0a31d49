import System.IO (hFlush, stdout)

checkedDivide :: Int -> Int -> Int
checkedDivide a 0 = error ("division by zero attempted: " ++ show a)
checkedDivide a b = a `div` b

main :: IO ()
main = do
  putStrLn "before"
  hFlush stdout
  print (checkedDivide 1 0)
