;; Run once at image build time so that the classes Clojure loads at start-up (clojure.core and friends) are
;; recorded in a CDS archive: every later start maps them instead of loading and verifying them again.
(ns warmup
  (:require [clojure.string :as str]
            [clojure.set :as set]
            [clojure.edn :as edn]
            [clojure.pprint :as pp]
            [clojure.walk :as walk]))

(defrecord Point [x y])

(defn -main [& args]
  (let [lines (line-seq (java.io.BufferedReader. *in*))
        words (mapcat #(str/split % #"\s+") lines)
        freq (frequencies words)]
    (println (count args) (str/join " " (sort (keys freq))))
    (println (set/union #{1 2} #{3}) (edn/read-string "{:a [1 2]}") (walk/keywordize-keys {"k" 1}))
    (pp/pprint {:points (mapv #(->Point % (* % %)) (range 3))})
    (println (format "%.2f" (reduce + (map #(/ 1.0 %) (range 1 10)))))
    (try (throw (ex-info "warm" {:k 1}))
         (catch clojure.lang.ExceptionInfo e (println (ex-message e) (ex-data e))))))

(apply -main *command-line-args*)
