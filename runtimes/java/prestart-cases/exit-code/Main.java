public class Main {
    public static void main(String[] args) {
        System.out.println("before exit");
        System.err.println("on stderr");
        System.exit(3);
    }
}
