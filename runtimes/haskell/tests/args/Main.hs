import System.Environment (getArgs)

main :: IO ()
main = do
  args <- getArgs
  putStrLn (unwords (show (length args) : args))
