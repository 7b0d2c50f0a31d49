// Checks the pre-started javac against a plain javac, case by case (README.md beside this file). Runs in the java
// image as the runner uid (single-file source launch):
//   java -XX:-UsePerfData Harness.java [--runtime RUNTIME_JSON] [--bench N] [--launcher-option JVM_OPTION]...
//        CASE_DIR_OR_FOLDER_OF_THEM...
// For each case folder (program files plus case.json) it runs the runtime's compile command plainly in a fresh copy
// of the files in /work (emptied, /tmp emptied too), then does what the agent does with the launcher: starts it in
// the emptied work dir with a connected unix stream socket on fd 3, waits for 'R', checks that the warm-up left
// nothing in /tmp or /work, writes the files, sends the argv as NUL-terminated strings and closes its end. The
// compile's stdout, stderr and exit code, and the class files under /tmp/classes (paths and contents), must be the
// same; then the run command runs after each compile (when it succeeded) and its stdout, stderr and exit must be the
// same too. case.json's expectations (what a plain start gives) are checked against the plain runs; a case.json
// "knownDifference" (a reason) marks a case whose two starts are known to differ (reported, not failed).
// --bench N: N more timed runs of each case each way; medians of spawn (plain) or hand-over (pre-started) to the
// compile's exit, of the run stage, of the launcher's spawn to 'R', and its VmRSS at 'R'.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

public class Harness {
    static final Path WORK = Path.of("/work");
    static final Path TMP = Path.of("/tmp");
    static final Path SOCKET = Path.of("/dev/shm/javac-prestart-harness.sock");
    /** The launcher (runtime.json prestart.command); runtime.json's own entry, when it has one, wins. */
    static List<String> launcher = List.of("java", "-Dapplication.home=/usr/lib/jvm/java-25-openjdk-amd64",
            "--add-modules=ALL-DEFAULT", "-Xms8m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Xshare:auto", "-XX:SharedArchiveFile=/opt/java-cds/javac-prestart.jsa",
            "--enable-native-access=ALL-UNNAMED", "-cp", "/usr/local/lib/coderunner/javac-prestart/javac-prestart.jar", "JavacPrestart", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1", "-J-XX:-UsePerfData",
            "-J-Xshare:auto", "-J-XX:SharedArchiveFile=/opt/java-cds/javac.jsa");
    /** Puts a connected unix stream socket (to the harness) on fd 3, then execs the launcher: the agent's part. */
    static final List<String> FD3 = List.of("perl", "-MSocket", "-MPOSIX", "-e",
            "$^F = 3; socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die \"socket: $!\"; "
                    + "connect($s, pack_sockaddr_un(shift)) or die \"connect: $!\"; "
                    + "fileno($s) == 3 or POSIX::dup2(fileno($s), 3) or die \"dup2: $!\"; "
                    + "exec { $ARGV[0] } @ARGV or die \"exec: $!\"", SOCKET.toString());
    static final List<String> ENV = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/work", "LANG=C.UTF-8", "TMPDIR=/tmp");
    /** Blocking reads each get a thread of their own (the common pool may have just one). */
    static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });
    static List<Object> compileTemplate;
    static List<Object> runTemplate;

    record Output(byte[] stdout, byte[] stderr, int code, double ms) {}

    record Start(Output compile, Map<String, String> classes, List<String> leftovers, Output run, double toReady,
            long rssKb, boolean ready) {}

    record Case(Path dir, String name, Map<String, Object> spec, List<String> files, String entry, List<String> args,
            List<String> compileArgs, String stdin) {}

    public static void main(String[] argv) throws Exception {
        Path runtimeJson = Path.of("/runtime/runtime.json");
        int bench = 0;
        List<Path> cases = new ArrayList<>();
        List<String> jvmOptions = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--bench")) bench = Integer.parseInt(argv[++i]);
            else if (argv[i].equals("--launcher-option")) jvmOptions.add(argv[++i]);
            else if (argv[i].equals("--runtime")) runtimeJson = Path.of(argv[++i]);
            else cases.addAll(caseDirs(Path.of(argv[i])));
        }
        if (cases.isEmpty()) {
            System.err.println("usage: java Harness.java [--runtime RUNTIME_JSON] [--bench N] CASE_DIR...");
            System.exit(2);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> runtime = (Map<String, Object>) new Json(Files.readString(runtimeJson)).value();
        compileTemplate = list(runtime.get("compile"));
        runTemplate = list(runtime.get("run"));
        if (runtime.get("prestart") instanceof Map<?, ?> p) launcher = strings(p.get("command"));
        if (!jvmOptions.isEmpty()) {
            List<String> l = new ArrayList<>(launcher.subList(0, 1));
            l.addAll(jvmOptions);
            l.addAll(launcher.subList(1, launcher.size()));
            launcher = l;
        }
        int failed = 0;
        for (Path dir : cases) {
            Case c = loadCase(dir);
            Start plain = start(c, false);
            Start pre = start(c, true);
            List<String> differences = compare(plain, pre);
            List<String> expectations = checkExpectations(c, plain);
            String known = (String) c.spec.get("knownDifference");
            boolean pass = differences.isEmpty() && expectations.isEmpty();
            String verdict = pass ? "pass" : known != null && expectations.isEmpty() ? "known" : "FAIL";
            String exits = "compile " + plain.compile.code + (plain.run == null ? "" : ", run " + plain.run.code);
            System.out.println(String.format("%-5s %s  (%s)%s", verdict, c.name, exits,
                    verdict.equals("known") ? ": " + known : ""));
            if (!pass) {
                if (verdict.equals("FAIL")) failed++;
                for (String p : differences) System.out.println(p);
                for (String p : expectations) System.out.println(p);
            }
            if (bench > 0) benchCase(c, bench);
        }
        empty(WORK);
        empty(TMP);
        System.out.println((cases.size() - failed) + "/" + cases.size() + " cases pass");
        System.exit(failed == 0 ? 0 : 1);
    }

    static void benchCase(Case c, int n) throws Exception {
        Map<Boolean, List<Start>> runs = new LinkedHashMap<>();
        runs.put(false, new ArrayList<>());
        runs.put(true, new ArrayList<>());
        for (int i = 0; i < n; i++) {
            runs.get(false).add(start(c, false));
            runs.get(true).add(start(c, true));
        }
        for (var e : runs.entrySet()) {
            List<Start> rs = e.getValue();
            String line = String.format("  %-9s %s -> compile exit %.1f ms, run %.1f ms (medians of %d)",
                    e.getKey() ? "prestart" : "plain", e.getKey() ? "hand-over" : "spawn",
                    median(rs.stream().map(r -> r.compile.ms).toList()),
                    median(rs.stream().filter(r -> r.run != null).map(r -> r.run.ms).toList()), rs.size());
            if (e.getKey()) {
                line += String.format("; spawn -> R %.1f ms, VmRSS at R %d kB",
                        median(rs.stream().map(r -> r.toReady).toList()),
                        Math.round(median(rs.stream().map(r -> (double) r.rssKb).toList())));
            }
            System.out.println(line);
        }
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static List<Path> caseDirs(Path dir) throws IOException {
        if (Files.exists(dir.resolve("case.json"))) return List.of(dir);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.exists(p.resolve("case.json"))).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static Case loadCase(Path dir) throws IOException {
        Map<String, Object> spec = (Map<String, Object>) new Json(Files.readString(dir.resolve("case.json"))).value();
        List<String> files;
        if (spec.get("files") != null) {
            files = strings(spec.get("files"));
        } else {
            try (Stream<Path> s = Files.walk(dir)) {
                files = s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                        .filter(n -> !n.equals("case.json")).sorted().toList();
            }
        }
        return new Case(dir, dir.getFileName().toString(), spec, files, (String) spec.getOrDefault("entry", "Main.java"),
                spec.get("args") == null ? List.of() : strings(spec.get("args")),
                spec.get("compileArgs") == null ? List.of() : strings(spec.get("compileArgs")),
                (String) spec.getOrDefault("stdin", ""));
    }

    /** runtime.json's command with the request's parts filled in (server/src/runs/command-template.ts). */
    static List<String> expand(List<Object> template, Case c) {
        List<String> out = new ArrayList<>();
        String stem = c.entry.contains(".") ? c.entry.substring(0, c.entry.lastIndexOf('.')) : c.entry;
        for (Object o : template) {
            String t = (String) o;
            switch (t) {
                case "{compileArgs}" -> out.addAll(c.compileArgs);
                case "{args}" -> out.addAll(c.args);
                case "{files}" -> out.addAll(c.files);
                case "{entry}" -> out.add(c.entry);
                case "{entryStem}" -> out.add(stem);
                default -> {
                    if (t.startsWith("{files:")) {
                        String ext = t.substring(7, t.length() - 1);
                        for (String f : c.files) if (f.endsWith(ext)) out.add(f);
                    } else {
                        out.add(t.replace("{entryStem}", stem).replace("{entry}", c.entry));
                    }
                }
            }
        }
        return out;
    }

    static Start start(Case c, boolean prestart) throws Exception {
        empty(WORK);
        empty(TMP);
        List<String> compile = expand(compileTemplate, c);
        Output compiled;
        double toReady = 0;
        long rss = 0;
        boolean ready = true;
        List<String> leftovers = new ArrayList<>();
        if (!prestart) {
            copyCase(c);
            compiled = run(compile, new byte[0], null);
        } else {
            Files.deleteIfExists(SOCKET);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(SOCKET));
                List<String> command = new ArrayList<>(FD3);
                command.addAll(launcher);
                long t0 = System.nanoTime();
                Process p = spawn(command);
                CompletableFuture<byte[]> out = drain(p.getInputStream());
                CompletableFuture<byte[]> err = drain(p.getErrorStream());
                p.getOutputStream().close(); // a compile reads end of file at once
                server.configureBlocking(true);
                // accept() cannot time out; the launcher that dies before connecting would hang the harness.
                CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.accept();
                    } catch (IOException e) {
                        return null;
                    }
                }, THREADS);
                SocketChannel sock = null;
                try {
                    sock = accepted.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    ready = false;
                }
                ByteBuffer r = ByteBuffer.allocate(16);
                if (sock != null && readWithin(sock, r, p) && r.position() == 1 && r.get(0) == 'R') {
                    toReady = (System.nanoTime() - t0) / 1e6;
                    rss = vmRssKb(p.pid());
                    leftovers.addAll(listAll(TMP));
                    leftovers.addAll(listAll(WORK));
                    copyCase(c);
                    ByteArrayOutputStream msg = new ByteArrayOutputStream();
                    for (String a : compile) {
                        msg.writeBytes(a.getBytes(StandardCharsets.UTF_8));
                        msg.write(0);
                    }
                    long t1 = System.nanoTime();
                    sock.write(ByteBuffer.wrap(msg.toByteArray()));
                    sock.close();
                    compiled = finish(p, out, err, t1);
                } else {
                    ready = false;
                    p.destroyForcibly();
                    compiled = finish(p, out, err, t0);
                }
            }
            Files.deleteIfExists(SOCKET);
        }
        Map<String, String> classes = listClasses(TMP.resolve("classes"));
        Output ran = null;
        if (compiled.code == 0) {
            ran = run(expand(runTemplate, c), c.stdin.getBytes(StandardCharsets.UTF_8), null);
        }
        return new Start(compiled, classes, leftovers, ran, toReady, rss, ready);
    }

    /** Reads what the launcher says before the hand-over: 'R' (waits until it arrives or the launcher ends). */
    static boolean readWithin(SocketChannel sock, ByteBuffer r, Process p) throws Exception {
        CompletableFuture<Integer> n = CompletableFuture.supplyAsync(() -> {
            try {
                return sock.read(r);
            } catch (IOException e) {
                return -1;
            }
        }, THREADS);
        try {
            return n.get(30, TimeUnit.SECONDS) > 0;
        } catch (Exception e) {
            return false;
        }
    }

    static long vmRssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    static Process spawn(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(WORK.toFile());
        pb.environment().clear();
        for (String kv : ENV) pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        return pb.start();
    }

    static Output run(List<String> command, byte[] stdin, Object unused) throws Exception {
        long t0 = System.nanoTime();
        Process p = spawn(command);
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try (var in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // the program did not read its stdin
        }
        return finish(p, out, err, t0);
    }

    static Output finish(Process p, CompletableFuture<byte[]> out, CompletableFuture<byte[]> err, long from)
            throws Exception {
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        double ms = (System.nanoTime() - from) / 1e6;
        return new Output(out.get(), err.get(), p.exitValue(), ms);
    }

    static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, THREADS);
    }

    static void copyCase(Case c) throws IOException {
        for (String f : c.files) {
            Path to = WORK.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(c.dir.resolve(f), to);
        }
    }

    static void empty(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) Files.delete(p);
            }
        }
    }

    static List<String> listAll(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(Path::toString).sorted().toList();
        }
    }

    /** Every file under the classes folder with the SHA-256 of its bytes. */
    static Map<String, String> listClasses(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) return out;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(x -> !x.equals(dir)).toList()) {
                String key = dir.relativize(p).toString();
                out.put(Files.isDirectory(p) ? key + "/" : key,
                        Files.isDirectory(p) ? "" : HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    static List<String> compare(Start plain, Start pre) {
        List<String> problems = new ArrayList<>();
        if (!pre.ready) {
            problems.add("  the launcher never became ready; its stderr: "
                    + quote(new String(pre.compile.stderr, StandardCharsets.UTF_8)));
            return problems;
        }
        if (!pre.leftovers.isEmpty()) problems.add("  left by the warm-up at R: " + pre.leftovers);
        diffOutputs("compile", plain.compile, pre.compile, problems);
        if (!plain.classes.equals(pre.classes)) {
            problems.add("  /tmp/classes differ: plain " + plain.classes.keySet() + ", prestart " + pre.classes.keySet()
                    + (plain.classes.keySet().equals(pre.classes.keySet()) ? " (contents)" : ""));
        }
        if ((plain.run == null) != (pre.run == null)) {
            problems.add("  run: plain " + (plain.run == null ? "skipped" : "ran") + ", prestart "
                    + (pre.run == null ? "skipped" : "ran"));
        } else if (plain.run != null) {
            diffOutputs("run", plain.run, pre.run, problems);
        }
        return problems;
    }

    static void diffOutputs(String stage, Output a, Output b, List<String> problems) {
        if (!Arrays.equals(a.stdout, b.stdout)) problems.add(diff(stage + " stdout", a.stdout, b.stdout, "plain", "prestart"));
        if (!Arrays.equals(a.stderr, b.stderr)) problems.add(diff(stage + " stderr", a.stderr, b.stderr, "plain", "prestart"));
        if (a.code != b.code) problems.add("  " + stage + " exit: plain " + a.code + ", prestart " + b.code);
    }

    /** A short line diff: the common head and tail are left out, the differing middle is shown quoted. */
    static String diff(String label, byte[] a, byte[] b, String na, String nb) {
        String[] x = new String(a, StandardCharsets.UTF_8).split("\n", -1);
        String[] y = new String(b, StandardCharsets.UTF_8).split("\n", -1);
        int head = 0;
        while (head < x.length && head < y.length && x[head].equals(y[head])) head++;
        int tail = 0;
        int room = Math.min(x.length, y.length) - head;
        while (tail < room && x[x.length - 1 - tail].equals(y[y.length - 1 - tail])) tail++;
        StringBuilder sb = new StringBuilder("  " + label + " differs from line " + (head + 1) + " (- " + na + ", + " + nb + "):");
        for (int i = head; i < Math.min(x.length - tail, head + 20); i++) sb.append("\n    - ").append(quote(x[i]));
        for (int i = head; i < Math.min(y.length - tail, head + 20); i++) sb.append("\n    + ").append(quote(y[i]));
        return sb.toString();
    }

    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t") + '"';
    }

    /** Where the plain start is not what case.json expects: both starts being wrong alike is caught too. */
    @SuppressWarnings("unchecked")
    static List<String> checkExpectations(Case c, Start plain) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> compile = (Map<String, Object>) c.spec.get("compile");
        if (compile != null) expect("compile", compile, plain.compile, problems);
        if (c.spec.containsKey("run") && c.spec.get("run") == null && plain.run != null) {
            problems.add("  case.json: no run stage (compile fails), but the plain compile succeeded");
        }
        Map<String, Object> runSpec = new LinkedHashMap<>(c.spec);
        runSpec.keySet().retainAll(List.of("stdout", "stderr", "exitCode", "stderrIncludes"));
        if (!runSpec.isEmpty()) {
            if (plain.run == null) problems.add("  case.json expects a run, but the plain compile failed");
            else expect("run", runSpec, plain.run, problems);
        }
        return problems;
    }

    static void expect(String stage, Map<String, Object> e, Output o, List<String> problems) {
        String out = new String(o.stdout, StandardCharsets.UTF_8);
        String err = new String(o.stderr, StandardCharsets.UTF_8);
        if (e.get("stdout") instanceof String s && !s.equals(out)) {
            problems.add(diff("plain " + stage + " stdout", s.getBytes(StandardCharsets.UTF_8), o.stdout, "case.json", "plain"));
        }
        if (e.get("stderr") instanceof String s && !s.equals(err)) {
            problems.add(diff("plain " + stage + " stderr", s.getBytes(StandardCharsets.UTF_8), o.stderr, "case.json", "plain"));
        }
        if (e.get("exitCode") instanceof Number n && n.intValue() != o.code) {
            problems.add("  " + stage + " exit code: case.json " + n + ", plain " + o.code);
        }
        Object inc = e.get("stderrIncludes");
        List<String> parts = inc == null ? List.of() : inc instanceof String s ? List.of(s) : strings(inc);
        for (String part : parts) {
            if (!err.contains(part)) problems.add("  plain " + stage + " stderr lacks " + quote(part));
        }
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    static List<String> strings(Object o) {
        return list(o).stream().map(x -> (String) x).toList();
    }

    /** Just enough JSON for case.json and runtime.json. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char ch = s.charAt(i);
            if (ch == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                for (;;) {
                    skip();
                    String k = (String) value();
                    skip();
                    i++; // :
                    m.put(k, value());
                    skip();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (ch == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                for (;;) {
                    l.add(value());
                    skip();
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (ch == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                for (;;) {
                    char d = s.charAt(i++);
                    if (d == '"') return sb.toString();
                    if (d != '\\') {
                        sb.append(d);
                        continue;
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> sb.append(e);
                    }
                }
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return true;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return false;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            return Double.parseDouble(s.substring(start, i));
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
