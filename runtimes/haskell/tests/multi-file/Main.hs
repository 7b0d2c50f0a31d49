module Main (main) where

import Geometry.Shapes (area)

main :: IO ()
main = print (area 3 4)
