public class Main {
    static int checkedDivide(int a, int b) {
        if (b == 0) throw new IllegalArgumentException("divisor must not be zero");
        return a / b;
    }

    public static void main(String[] args) {
        System.out.println("before");
        System.out.println(checkedDivide(1, 0));
    }
}
