object Main {
  def main(args: Array[String]): Unit = {
    println((args.length.toString +: args).mkString(" "))
  }
}
