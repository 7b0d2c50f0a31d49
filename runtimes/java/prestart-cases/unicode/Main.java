public class Main {
    // Identifiers and text outside ASCII: the source is read as UTF-8 (-encoding UTF-8).
    static String grüße(String name) {
        return "Grüße, " + name + " — 世界 🌍";
    }

    public static void main(String[] args) {
        int größe = 3;
        System.out.println(grüße("Zoë") + " " + größe);
        System.out.println("π ≈ " + Math.PI);
    }
}
