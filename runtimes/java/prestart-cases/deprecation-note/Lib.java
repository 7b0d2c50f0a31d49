class Lib {
    @Deprecated(forRemoval = true)
    static String old() {
        return "old";
    }
}
