// Compiled once at image build time so that kotlinc's classes are recorded in a CDS archive (kotlinc starts in
// about half the time with it). It touches what user programs commonly use: data and sealed classes, when,
// lambdas, extension functions, generics, collections and text I/O.
package warmup

sealed class Shape
data class Square(val side: Double) : Shape()
data class Circle(val radius: Double) : Shape()

enum class Color { RED, GREEN }

fun area(s: Shape): Double = when (s) {
    is Square -> s.side * s.side
    is Circle -> Math.PI * s.radius * s.radius
}

fun Int.squared(): Int = this * this

fun <T : Comparable<T>> largest(items: List<T>): T? = items.maxBy { it }

object Registry {
    private val names = mutableMapOf<String, Int>()
    fun add(name: String) { names[name] = (names[name] ?: 0) + 1 }
    override fun toString() = names.entries.sortedBy { it.key }.joinToString { "${it.key}=${it.value}" }
}

fun main(args: Array<String>) {
    val lines = generateSequence(::readLine).toList()
    lines.flatMap { it.split(Regex("\\s+")) }.filter { it.isNotEmpty() }.forEach(Registry::add)
    val grouped = (1..10).groupBy { it % 3 }.mapValues { (_, v) -> v.sum() }
    val text = buildString {
        append(String.format("%.2f ", area(Circle(1.0))))
        append(largest(listOf(3, 1, 2))?.squared())
        append(" $grouped $Registry ${Color.valueOf("RED").name.toLowerCase()}")
    }
    val parsed = try { "x".toInt() } catch (e: NumberFormatException) { -1 }
    println(text + " " + parsed + " " + (args.firstOrNull() ?: "none") + " " + Square(2.0).copy(side = 3.0))
}
