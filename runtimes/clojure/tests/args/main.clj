(require '[clojure.string :as str])

(let [args *command-line-args*]
  (println (str/join " " (cons (count args) args))))
