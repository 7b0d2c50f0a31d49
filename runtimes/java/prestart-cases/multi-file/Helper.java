import java.util.Arrays;
import java.util.stream.Collectors;

final class Helper {
    static String describe(Shape[] shapes) {
        return Arrays.stream(shapes).map(Object::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
