package geometry

// Rectangle is an axis-aligned rectangle.
type Rectangle struct {
	Width, Height int
}

// Area returns the rectangle's area.
func (r Rectangle) Area() int {
	return r.Width * r.Height
}
