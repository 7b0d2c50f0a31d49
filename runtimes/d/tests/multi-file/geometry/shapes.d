module geometry.shapes;

struct Rectangle
{
    int width;
    int height;

    int area() const
    {
        return width * height;
    }
}
