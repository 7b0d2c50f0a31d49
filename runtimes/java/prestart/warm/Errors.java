// A warm-up sample with the errors beginners make: javac's diagnostic paths get warm too.
import java.util.List;

public class Errors {
    public static void main(String[] args) {
        int n = "text";
        String s = undefinedName + 1;
        List<String> xs = List.of(1, 2);
        missingMethod(n);
        Object o = new Errors().nothing;
        return 5;
    }
}
