// The pre-started javac (README.md beside this file): run by the agent as the runner, in the work dir, with the
// agent's hand-over socket on fd 3, as
//   java <the JVM options javac's launcher gives> -cp /usr/local/lib/coderunner/javac-prestart JavacPrestart
//        -J<option>...
// where the -J options are the ones of the plain `javac` command it stands in for (runtime.json `compile`). It
// warms javac up by compiling the samples in warm/ into a scratch folder under /tmp (removed again), says 'R' on
// fd 3, reads the plain command's argv (NUL-terminated strings) to end of file, closes fd 3 and then does what
// that javac would: com.sun.tools.javac.Main.compile(args) in this JVM (javac's launcher runs exactly that, then
// System.exit), or, for what it cannot honour here (other -J options, @argfiles, annotation processors, help and
// version output), execvp of the real javac with the argv as given.
// Java cannot open a socket that is already a descriptor, so fd 3 is used through the FFM API (libc read, write,
// close); hence --enable-native-access=ALL-UNNAMED on the launcher's command line (no warning then).
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

public final class JavacPrestart {
    private static final int SOCKET = 3;
    private static final int EINTR = 4;
    private static final String LIB = "/usr/local/lib/coderunner/javac-prestart";
    private static final String JDK_HOME = System.getProperty("java.home");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle READ = libc("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG), true);
    private static final MethodHandle WRITE = libc("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG), true);
    private static final MethodHandle CLOSE = libc("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), false);

    private static MethodHandle libc(String name, FunctionDescriptor fd, boolean errno) {
        MemorySegment fn = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("no " + name + " in libc"));
        return errno ? LINKER.downcallHandle(fn, fd, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(fn, fd);
    }

    /** Dies before the hand-over: the agent then kills the launcher and starts every stage plainly. */
    private static void fail(String why) {
        System.err.println("javac-prestart: " + why);
        System.exit(127);
    }

    public static void main(String[] launcherArgs) throws Throwable {
        // The launcher's own arguments: the -J options it was started to stand for, and --warm-only (image build:
        // warm up, then exit, while a CDS archive is recorded).
        Set<String> jOptions = new HashSet<>();
        boolean warmOnly = false;
        for (String a : launcherArgs) {
            if (a.equals("--warm-only")) warmOnly = true;
            else if (a.startsWith("-J")) jOptions.add(a);
            else fail("unknown launcher argument " + a);
        }
        warmUp();
        if (warmOnly) return;

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment r = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 'R');
            long n;
            do {
                n = (long) WRITE.invokeExact(state, SOCKET, r, 1L);
            } while (n < 0 && (int) ERRNO.get(state, 0L) == EINTR);
            if (n != 1) fail("cannot write R on fd 3 (errno " + (int) ERRNO.get(state, 0L) + ")");
            byte[] message = readToEnd(arena, state);
            int ignored = (int) CLOSE.invokeExact(SOCKET);
            handOver(message, jOptions);
        }
    }

    private static byte[] readToEnd(Arena arena, MemorySegment state) throws Throwable {
        MemorySegment buf = arena.allocate(65536);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (;;) {
            long n = (long) READ.invokeExact(state, SOCKET, buf, buf.byteSize());
            if (n == 0) return all.toByteArray();
            if (n < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == EINTR) continue;
                fail("cannot read the hand-over on fd 3 (errno " + errno + ")");
            }
            all.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** The plain command's argv, or null when the message is not NUL-terminated strings. */
    private static List<byte[]> splitArgv(byte[] message) {
        if (message.length == 0 || message[message.length - 1] != 0) return null;
        List<byte[]> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < message.length; i++) {
            if (message[i] == 0) {
                argv.add(Arrays.copyOfRange(message, start, i));
                start = i + 1;
            }
        }
        return argv;
    }

    private static void handOver(byte[] message, Set<String> jOptions) throws Throwable {
        List<byte[]> raw = splitArgv(message);
        if (raw == null || raw.isEmpty() || !new String(raw.get(0), Charset.forName("US-ASCII")).equals("javac")) {
            fail("the hand-over is not a javac command line (NUL-terminated strings, javac first)");
        }
        // The launcher decodes its arguments in the platform encoding (sun.jnu.encoding), so does this.
        Charset jnu = Charset.forName(System.getProperty("sun.jnu.encoding"), Charset.defaultCharset());
        List<String> javacArgs = new ArrayList<>();
        Set<String> seenJ = new HashSet<>();
        boolean plain = true;
        for (byte[] b : raw.subList(1, raw.size())) {
            String a = new String(b, jnu);
            if (a.startsWith("-J")) {
                seenJ.add(a);
                if (!jOptions.contains(a)) plain = false;
            } else {
                if (!honoured(a)) plain = false;
                javacArgs.add(a);
            }
        }
        if (!plain || !seenJ.equals(jOptions)) execJavac(raw);

        // What javac's launcher sets and this JVM's launcher did not (or set otherwise): javac reads some of them
        // (application.home decides what the default class path is).
        System.setProperty("application.home", JDK_HOME);
        System.setProperty("java.class.path", "");
        System.setProperty("jdk.module.main", "jdk.compiler");
        StringBuilder command = new StringBuilder("jdk.compiler/com.sun.tools.javac.Main");
        for (String a : javacArgs) command.append(' ').append(a);
        System.setProperty("sun.java.command", command.toString());
        // javac's launcher: jdk.compiler/com.sun.tools.javac.Main.main: System.exit(compile(args)).
        long t0 = System.nanoTime();
        int rc = com.sun.tools.javac.Main.compile(javacArgs.toArray(new String[0]));
        if (Boolean.getBoolean("javac.prestart.timing")) {
            System.err.printf("javac-prestart: compile %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        }
        System.exit(rc);
    }

    /** Whether a javac argument is one this JVM does just as the real javac would. */
    private static boolean honoured(String a) {
        if (a.startsWith("@")) return false; // an argument file: might hold what is refused here
        if (a.startsWith("-proc:")) return a.equals("-proc:none");
        if (a.startsWith("-processor") || a.startsWith("--processor") || a.startsWith("-Xplugin")
                || a.startsWith("--plugin")) {
            return false;
        }
        switch (a) {
            case "-version", "--version", "-fullversion", "--full-version", "-help", "--help", "-?", "-X",
                    "--help-extra", "--help-lint" -> {
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    /** execvp("javac", argv): the real javac in this very process (same pid, stdio, limits, environment). */
    private static void execJavac(List<byte[]> raw) throws Throwable {
        MethodHandle closeRange = LINKER.downcallHandle(LINKER.defaultLookup().find("close_range").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT));
        MethodHandle sigprocmask = LINKER.downcallHandle(
                LINKER.defaultLookup().find("pthread_sigmask").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS));
        MethodHandle execvp = LINKER.downcallHandle(LINKER.defaultLookup().find("execvp").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                Linker.Option.captureCallState("errno"));
        System.out.flush();
        System.err.flush();
        Arena arena = Arena.global();
        MemorySegment argv = arena.allocate(ValueLayout.ADDRESS, raw.size() + 1L);
        for (int i = 0; i < raw.size(); i++) {
            byte[] b = raw.get(i);
            MemorySegment s = arena.allocate(b.length + 1L);
            s.copyFrom(MemorySegment.ofArray(b));
            argv.setAtIndex(ValueLayout.ADDRESS, i, s);
        }
        argv.setAtIndex(ValueLayout.ADDRESS, raw.size(), MemorySegment.NULL);
        // The JVM's own descriptors (jars, the modules image, the CDS archive) close on the exec (the kernel
        // cannot fail that part), and the new javac starts with no signal blocked, as the agent starts a stage.
        int ignored = (int) closeRange.invokeExact(3, -1, 4 /* CLOSE_RANGE_CLOEXEC */);
        MemorySegment empty = arena.allocate(128);
        ignored = (int) sigprocmask.invokeExact(2 /* SIG_SETMASK */, empty, MemorySegment.NULL);
        MemorySegment state = arena.allocate(CALL_STATE);
        ignored = (int) execvp.invokeExact(state, argv.getAtIndex(ValueLayout.ADDRESS, 0), argv);
        int errno = (int) ERRNO.get(state, 0L);
        System.err.println("coderunner: cannot run javac: errno " + errno);
        System.exit(127);
    }

    /** A writer that drops everything, encoding as javac's own stderr writer would. */
    private static PrintWriter nowhere() {
        OutputStream sink = OutputStream.nullOutputStream();
        String enc = System.getProperty("stderr.encoding");
        Charset cs = enc == null ? Charset.defaultCharset() : Charset.forName(enc, Charset.defaultCharset());
        return new PrintWriter(new OutputStreamWriter(sink, cs), true);
    }

    /**
     * Compiles the samples of warm/ a few times (their diagnostics dropped) into a scratch folder under /tmp,
     * then removes it: javac's classes are loaded and its hot paths compiled by the JIT before the program
     * arrives. Rounds: -Djavac.prestart.rounds (default 3), but no new round once the warm-up has taken
     * -Djavac.prestart.budgetMs (default 2500): a busy machine must not keep the container from being ready
     * (the agent waits for 'R' for a few seconds only).
     */
    private static void warmUp() throws Exception {
        long start = System.nanoTime();
        int rounds = Integer.getInteger("javac.prestart.rounds", 3);
        long budgetNs = Long.getLong("javac.prestart.budgetMs", 2500) * 1_000_000;
        Path warm = Path.of(LIB, "warm");
        Path scratch = Files.createDirectory(Path.of("/tmp/.javac-prestart-" + ProcessHandle.current().pid()));
        try {
            String[][] sets = {
                {"Hello.java"},
                // The image's CDS sample (Dockerfile): generics, lambdas, records, switch, text I/O.
                {"/opt/java-cds/Warmup.java"},
                {"app/Main.java", "app/util/Strings.java"},
                {"Errors.java"},
                {"Raw.java"},
                {"CalcTest.java"},
            };
            PrintWriter out = nowhere();
            for (int round = 0; round < rounds && (round == 0 || System.nanoTime() - start < budgetNs); round++) {
                for (String[] set : sets) {
                    List<String> args = new ArrayList<>(List.of("-proc:none", "-encoding", "UTF-8", "-d",
                            scratch.resolve("classes").toString(), "-cp", "/opt/junit/junit-console.jar"));
                    if (set[0].equals("Raw.java") && round % 2 == 1) args.add("-Xlint:all");
                    for (String f : set) args.add(warm.resolve(f).toString());
                    com.sun.tools.javac.Main.compile(args.toArray(new String[0]), out);
                }
            }
        } finally {
            try (Stream<Path> all = Files.walk(scratch)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        System.gc();
    }
}
