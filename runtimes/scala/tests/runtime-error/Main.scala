object Main {
  def checkedDivide(a: Int, b: Int): Int = {
    require(b != 0, "divisor must not be zero")
    a / b
  }

  def main(args: Array[String]): Unit = {
    println("before")
    println(checkedDivide(1, 0))
  }
}
