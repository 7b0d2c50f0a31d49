fun main(args: Array<String>) {
    println((listOf(args.size.toString()) + args).joinToString(" "))
}
