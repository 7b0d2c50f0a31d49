(ns geometry.shapes)

(defn area [width height]
  (* width height))
