class Other {
    void broken() {
        int x = 1
        System.out.println(x);
    }
}
