import java.io.Serializable;
import java.util.Date;

class Extra implements Serializable {
    int legacy() {
        return new Date().getDay();
    }

    Object cast(String s) {
        return (String) s;
    }
}
