// The file is main.scala but the object is Main: the runtime finds the class with the main method.
object Main {
  def main(args: Array[String]): Unit = println("found Main")
}
