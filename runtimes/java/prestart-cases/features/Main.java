// Compiled once at image build time so that javac's classes are recorded in a CDS archive (faster javac start).
// It touches the language features user programs commonly use: generics, lambdas, records, switch, text I/O.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.*;
import java.util.function.Function;
import java.util.stream.Collectors;

public class Main {
    record Point(int x, int y) {}

    sealed interface Shape permits Square, Circle {}
    record Square(double side) implements Shape {}
    record Circle(double radius) implements Shape {}

    enum Color { RED, GREEN }

    static double area(Shape s) {
        return switch (s) {
            case Square q -> q.side() * q.side();
            case Circle c -> Math.PI * c.radius() * c.radius();
        };
    }

    static <T extends Comparable<T>> T max(List<T> items) {
        T best = items.get(0);
        for (T item : items) if (item.compareTo(best) > 0) best = item;
        return best;
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) lines.add(line);
        Map<Integer, List<String>> byLength = lines.stream().collect(Collectors.groupingBy(String::length));
        Function<Integer, Integer> twice = n -> n * 2;
        var points = new ArrayList<Point>();
        for (int i = 0; i < 3; i++) points.add(new Point(i, twice.apply(i)));
        Scanner scanner = new Scanner("1 2 3");
        long sum = 0;
        while (scanner.hasNextInt()) sum += scanner.nextInt();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%d %s %.2f%n", sum, byLength, area(new Circle(1))));
        Object o = Color.RED;
        if (o instanceof Color c && c != Color.GREEN) sb.append(c.name().toLowerCase());
        try {
            int[] arr = new int[2];
            arr[max(Arrays.asList(1, 5, 3))] = 1;
        } catch (ArrayIndexOutOfBoundsException e) {
            sb.append(e.getMessage());
        }
        String text = """
            text block %s
            """.formatted(points);
        System.out.println(sb + text + Optional.ofNullable(args.length > 0 ? args[0] : null).orElse("none"));
    }
}
