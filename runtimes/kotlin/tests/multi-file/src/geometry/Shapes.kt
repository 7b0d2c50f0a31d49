package geometry

fun area(width: Int, height: Int): Int = width * height
