(ns main
  (:require [geometry.shapes :as shapes]))

(println (shapes/area 3 4))
