package com.example;

import com.example.util.MathUtil;

public class Main {
    public static void main(String[] args) {
        System.out.println(MathUtil.gcd(84, 36));
    }
}
