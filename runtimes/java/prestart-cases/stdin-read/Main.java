import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        int n = 0;
        long sum = 0;
        while ((line = in.readLine()) != null) {
            n++;
            for (String part : line.trim().split("\\s+")) if (!part.isEmpty()) sum += Long.parseLong(part);
        }
        System.out.println(n + " lines, sum " + sum);
    }
}
