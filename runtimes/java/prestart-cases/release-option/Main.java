public class Main {
    public static void main(String[] args) {
        var list = java.util.List.of(3, 1, 2);
        System.out.println(list.stream().sorted().toList());
    }
}
