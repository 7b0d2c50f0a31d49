public class Main {
    public static void main(String[] args) {
        int n = "three";
        System.out.println(n);
    }
}
