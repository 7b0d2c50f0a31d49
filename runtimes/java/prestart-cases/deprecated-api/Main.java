import java.util.Date;

public class Main {
    public static void main(String[] args) {
        Date d = new Date(2020 - 1900, 0, 15);
        System.out.println(d.getYear() + 1900);
    }
}
