// A warm-up sample with unchecked and deprecation warnings (the "Note:" lines, -Xlint).
import java.util.ArrayList;
import java.util.List;

public class Raw {
    @Deprecated
    static void old() {}

    public static void main(String[] args) throws Exception {
        List raw = new ArrayList();
        raw.add("x");
        List<String> typed = raw;
        Integer boxed = new Integer(5);
        Thread.currentThread().getId();
        old();
        System.out.println(typed.get(0) + boxed);
    }
}
