import java.util.List;

public class Main {
    public static void main(String[] args) {
        String s = undefinedName + 1;
        List<String> xs = List.of(1, 2);
        Other.missing();
        return 5;
    }
}
