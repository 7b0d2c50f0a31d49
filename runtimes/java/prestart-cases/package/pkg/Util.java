package pkg;

public final class Util {
    private Util() {}

    public static String shout(String s) {
        return s.toUpperCase() + "!";
    }
}
