import geometry.Shapes

object Main {
  def main(args: Array[String]): Unit = {
    println(Shapes.area(3, 4))
  }
}
