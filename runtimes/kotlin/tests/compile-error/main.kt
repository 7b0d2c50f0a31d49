fun main() {
    val count: Int = "not a number"
    println(count)
}
