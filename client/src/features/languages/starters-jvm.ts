// Starter programs for the JVM languages: ask for a name on stdin and greet it. The class holding main is
// named Main where the runtime looks for it by file name.
import type { Starter } from './starter';

export const JVM_STARTERS: Record<string, Starter> = {
  java: {
    entry: 'Main.java',
    content: `import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("What is your name? ");
        System.out.flush();
        String name = in.hasNextLine() ? in.nextLine() : "";
        System.out.println("Hello, " + name + "!");
    }
}
`,
  },
  scala: {
    entry: 'Main.scala',
    content: `import scala.io.StdIn

object Main {
  def main(args: Array[String]): Unit = {
    print("What is your name? ")
    Console.flush()
    val name = Option(StdIn.readLine()).getOrElse("")
    println(s"Hello, $name!")
  }
}
`,
  },
  groovy: {
    entry: 'main.groovy',
    content: `print 'What is your name? '
System.out.flush()
def name = System.in.newReader().readLine() ?: ''
println "Hello, \${name}!"
`,
  },
  clojure: {
    entry: 'main.clj',
    content: `(print "What is your name? ")
(flush)
(let [name (or (read-line) "")]
  (println (str "Hello, " name "!")))
`,
  },
};
