public class Main {
    public static void main(String[] args) {
        StringBuilder out = new StringBuilder().append(args.length);
        for (String arg : args) out.append(' ').append(arg);
        System.out.println(out);
    }
}
