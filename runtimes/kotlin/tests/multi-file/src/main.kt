import geometry.area

fun main() {
    println(area(3, 4))
}
