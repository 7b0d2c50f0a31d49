int checkedDivide(int a, int b) {
    if (b == 0) throw new IllegalArgumentException('divisor must not be zero')
    a.intdiv(b)
}

println 'before'
println checkedDivide(1, 0)
