public interface Shape {
    double area();
}

class Square implements Shape {
    private final double side;
    Square(double side) { this.side = side; }
    public double area() { return side * side; }
    public String toString() { return "Square(" + side + ")"; }
}

class Circle implements Shape {
    private final double r;
    Circle(double r) { this.r = r; }
    public double area() { return Math.PI * r * r; }
    public String toString() { return "Circle(" + r + ")"; }
}
