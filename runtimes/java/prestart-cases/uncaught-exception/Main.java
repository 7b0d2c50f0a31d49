public class Main {
    static int divide(int a, int b) {
        if (b == 0) throw new IllegalArgumentException("divisor must not be zero");
        return a / b;
    }

    public static void main(String[] args) {
        System.out.println("before");
        divide(1, 0);
    }
}
