import pkg.Util;

public class Main {
    public static void main(String[] args) {
        System.out.println(Util.shout("hello") + " " + args.length + " " + String.join("|", args));
    }
}
