import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CalculatorTest {
    private final Calculator calc = new Calculator();

    @Test
    void adds() {
        assertEquals(5, calc.add(2, 3));
    }

    @Test
    void dividesByZero() {
        assertThrows(ArithmeticException.class, () -> calc.divide(1, 0));
    }
}
