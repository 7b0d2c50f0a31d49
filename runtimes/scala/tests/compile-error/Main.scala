object Main {
  def main(args: Array[String]): Unit = {
    val count: Int = "not a number"
    println(count)
  }
}
