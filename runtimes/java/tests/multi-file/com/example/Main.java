package com.example;

import com.example.geometry.Shapes;

public class Main {
    public static void main(String[] args) {
        System.out.println(Shapes.area(3, 4));
    }
}
