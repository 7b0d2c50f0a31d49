// A warm-up sample using JUnit 5 from the class path javac gets.
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CalcTest {
    @Test
    void adds() {
        assertEquals(4, 2 + 2);
    }
}
