public class Main {
    public static void main(String[] args) {
        String grüße = "héllo wörld";
        int größe = grüße;
        System.out.println("日本語 " + größe);
    }
}
