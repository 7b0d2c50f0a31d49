fun checkedDivide(a: Int, b: Int): Int {
    require(b != 0) { "divisor must not be zero" }
    return a / b
}

fun main() {
    println("before")
    println(checkedDivide(1, 0))
}
