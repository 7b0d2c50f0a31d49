package app.util;

public final class Strings {
    private Strings() {}

    public static String repeat(String s, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(s);
        return sb.toString() + " \u00e9\u4e16";
    }
}
