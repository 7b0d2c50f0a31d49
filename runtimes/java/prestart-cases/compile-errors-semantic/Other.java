class Other {
    static void present() {}
}
