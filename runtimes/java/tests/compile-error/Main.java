public class Main {
    public static void main(String[] args) {
        int count = "not a number";
        System.out.println(count);
    }
}
