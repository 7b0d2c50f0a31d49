import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

// A JUnit 5 test class with no main method: the runtime runs it under JUnit's console launcher.
class CalculatorTest {
    @Test
    void addsSmallNumbers() {
        assertEquals(5, Calculator.add(2, 3));
    }

    @Test
    void addsNegativeNumbers() {
        assertEquals(-1, Calculator.add(2, -3));
    }
}
