import java.util.ArrayList;
import java.util.List;

public class Main {
    public static void main(String[] args) {
        List raw = new ArrayList();
        raw.add("x");
        List<String> typed = raw;
        System.out.println(typed.get(0));
    }
}
