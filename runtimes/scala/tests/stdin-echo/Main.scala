import scala.io.Source

object Main {
  def main(args: Array[String]): Unit = {
    for (line <- Source.stdin.getLines()) println(line)
  }
}
