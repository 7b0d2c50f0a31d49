package main

import "fmt"

func main() {
	var items []int
	fmt.Println("before")
	fmt.Println(items[3])
}
