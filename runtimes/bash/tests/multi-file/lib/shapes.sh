area() {
  echo $(( $1 * $2 ))
}
