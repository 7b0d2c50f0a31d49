(defn checked-divide [a b]
  (when (zero? b)
    (throw (ex-info "divisor must not be zero" {:a a :b b})))
  (/ a b))

(println "before")
(println (checked-divide 1 0))
