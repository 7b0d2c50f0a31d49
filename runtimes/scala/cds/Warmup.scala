// Compiled once at image build time so that scalac's classes are recorded in a CDS archive (faster scalac start).
// It touches what user programs commonly use: case classes, pattern matching, collections, implicits, I/O.
import scala.io.StdIn
import scala.collection.mutable
import scala.util.{Try, Success, Failure}

sealed trait Shape
case class Square(side: Double) extends Shape
case class Circle(radius: Double) extends Shape

object Warmup extends App {
  implicit class RichInt(val n: Int) extends AnyVal { def squared: Int = n * n }

  def area(s: Shape): Double = s match {
    case Square(a) => a * a
    case Circle(r) if r > 0 => math.Pi * r * r
    case _ => 0.0
  }

  def maxOf[T](items: Seq[T])(implicit ord: Ordering[T]): T = items.max

  val lines = Iterator.continually(StdIn.readLine()).takeWhile(_ != null).toList
  val counts = mutable.Map.empty[String, Int].withDefaultValue(0)
  for (line <- lines; word <- line.split("\\s+") if word.nonEmpty) counts(word) += 1
  val pairs = for { i <- 1 to 3; j <- i to 3 } yield (i, j)
  val parsed = Try("12".toInt) match { case Success(v) => v.squared; case Failure(e) => -1 }
  println(f"${area(Circle(1))}%.2f ${maxOf(List(3, 1, 2))} ${counts.toSeq.sortBy(_._1)} $pairs $parsed")
  println(args.mkString(" ") + Option.empty[String].getOrElse("none") + Vector(1, 2).map(_ * 2).sum)
}
