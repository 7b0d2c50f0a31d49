01 GREETING PIC X(21) VALUE "Hello from a copybook".
