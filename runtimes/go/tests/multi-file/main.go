package main

import (
	"fmt"

	"main/geometry"
)

func main() {
	r := geometry.Rectangle{Width: 3, Height: 4}
	fmt.Println(r.Area())
}
