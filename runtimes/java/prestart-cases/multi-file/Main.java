public class Main {
    public static void main(String[] args) {
        Shape[] shapes = { new Square(2), new Circle(1) };
        double total = 0;
        for (Shape s : shapes) total += s.area();
        System.out.printf("%.3f %s%n", total, Helper.describe(shapes));
    }
}
