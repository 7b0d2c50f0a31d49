public class Main {
    public static void main(String[] args) {
        Integer boxed = new Integer(41);
        System.out.println(boxed + 1 + " " + Lib.old());
    }
}
