# Checks the pre-started ruby against a plain start, case by case (README.md beside this file). Runs with ruby in
# the ruby image:
#   ruby harness.rb [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...
# For each case folder (program files plus case.json) it runs the plain `ruby ENTRY ARGS...` in a fresh copy of the
# files in the work dir (default /work, which must be writable and is emptied), then does what the agent does with
# the launcher: starts it in the emptied work dir with a unix socket on fd 3 (nothing else open), waits for 'R',
# writes the files, sends the argv as NUL-terminated strings, closes its end and feeds stdin. stdout, stderr, exit
# code and signal must be the same bytes; case.json's expectations (what a plain start prints) are checked against
# the plain run. A case.json "knownDifference" (a reason) marks a case whose two starts are known to differ.
# --bench N: runs each case N more times each way and prints the medians of hand-over (or spawn) to first output
# byte and to exit.
require 'json'
require 'fileutils'
require 'socket'

LAUNCHER = '/usr/local/lib/coderunner/ruby-prestart'
PLACEHOLDER = '/usr/local/lib/coderunner/ruby-prestart.rb'
RUBY = '/usr/bin/ruby'
# The run's environment as the server gives it (server/src/runs/run-plan.ts BASE_ENV; runtime.json adds none).
ENV_OF_RUN = {
  'PATH' => '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME' => '/work',
  'LANG' => 'C.UTF-8',
  'TMPDIR' => '/tmp',
}.freeze

def parse_args(argv)
  options = { work: '/work', bench: 0, launcher: LAUNCHER, placeholder: PLACEHOLDER, cases: [] }
  until argv.empty?
    arg = argv.shift
    case arg
    when '--work' then options[:work] = File.expand_path(argv.shift)
    when '--bench' then options[:bench] = Integer(argv.shift)
    when '--launcher' then options[:launcher] = argv.shift
    when '--placeholder' then options[:placeholder] = argv.shift
    else options[:cases].concat(case_dirs(File.expand_path(arg)))
    end
  end
  if options[:cases].empty?
    warn 'usage: ruby harness.rb [--work DIR] [--bench N] [--launcher PATH] [--placeholder PATH] CASES...'
    exit 2
  end
  options
end

# The spec of a case folder: case.json, or expected.json for the conformance programs of ../tests/ (their
# stdout, exitCode and stderrMatch are checked the same way).
SPEC_FILES = %w[case.json expected.json].freeze

def spec_file(dir)
  SPEC_FILES.map { |n| File.join(dir, n) }.find { |f| File.exist?(f) }
end

# A case folder, or a folder of them (sorted).
def case_dirs(path)
  return [path] if spec_file(path)

  Dir.children(path).sort.map { |n| File.join(path, n) }.select { |d| spec_file(d) }
end

def empty_dir(path)
  FileUtils.mkdir_p(path)
  Dir.children(path).each { |n| FileUtils.rm_rf(File.join(path, n)) }
end

def copy_case(case_dir, work)
  Dir.children(case_dir).each do |name|
    next if SPEC_FILES.include?(name)

    FileUtils.cp_r(File.join(case_dir, name), File.join(work, name), preserve: true)
  end
end

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC, :float_millisecond)
end

# Spawns program with argv (argv[0] included) and pipes as fds 0-2 (stderr on the stdout pipe when merge), and sock as fd 3, nothing else open
# (close_others; every fd of ruby's own is close-on-exec anyway), only the run's environment. on_ready runs once
# the process may be given its program (at once for a plain start; after 'R' for the launcher) and returns the
# moment timing starts from.
def run_once(program, argv, work, stdin, merge, sock, timeout_ms, on_ready)
  in_r, in_w = IO.pipe
  out_r, out_w = IO.pipe
  err_r, err_w = IO.pipe
  redirects = { in: in_r, out: out_w, err: merge ? out_w : err_w, close_others: true, unsetenv_others: true,
                chdir: work }
  redirects[3] = sock if sock
  spawned_at = now
  pid = Process.spawn(ENV_OF_RUN, [program, argv[0]], *argv[1..], **redirects)
  [in_r, out_w, err_w].each(&:close)
  sock&.close
  lock = Mutex.new
  first = nil
  readers = { stdout: out_r, stderr: err_r }.map do |key, io|
    Thread.new do
      chunks = []
      loop do
        chunk = io.readpartial(65_536)
        lock.synchronize { first ||= now }
        chunks << chunk
      rescue EOFError
        break
      end
      io.close
      [key, chunks.join.b]
    end
  end
  exited_at = nil
  status = nil
  waiter = Thread.new do
    _, status = Process.wait2(pid)
    exited_at = now
  end
  killer = Thread.new do
    sleep timeout_ms / 1000.0
    Process.kill(:KILL, pid)
  rescue Errno::ESRCH
    nil
  end
  start = spawned_at
  note = nil
  begin
    start = on_ready.call
  rescue StandardError => e # the launcher did not say R
    note = e.message
    begin
      Process.kill(:KILL, pid)
    rescue Errno::ESRCH
      nil
    end
  end
  feeder = Thread.new do
    in_w.write(stdin)
  rescue Errno::EPIPE, IOError # the program does not read its stdin
    nil
  ensure
    in_w.close
  end
  waiter.join
  out = readers.map(&:value).to_h
  feeder.join
  killer.kill
  stderr = out[:stderr] + (note ? "\n[harness: #{note}]\n".b : ''.b)
  { stdout: out[:stdout], stderr: stderr, code: status.exitstatus, ready: note.nil?,
    signal: status.termsig && Signal.signame(status.termsig).then { |n| "SIG#{n}" },
    to_first: first && first - start, to_exit: exited_at - start, to_ready: start - spawned_at }
end

def plain_run(c, options)
  work = options[:work]
  empty_dir(work)
  copy_case(c[:dir], work)
  run_once(RUBY, ['ruby', c[:entry], *c[:args]], work, c[:stdin], c[:merge], nil, c[:timeout_ms], -> { now })
end

def prestart_run(c, options)
  work = options[:work]
  empty_dir(work)
  ours, theirs = UNIXSocket.pair(:STREAM)
  on_ready = lambda do
    said = ours.read(1)
    if said != 'R'
      ours.close
      raise "the launcher said #{said.inspect}, not R"
    end
    # The request arrives: its files, then the hand-over.
    copy_case(c[:dir], work)
    message = ['ruby', c[:entry], *c[:args]].map { |a| a.b + "\0" }.join
    t = now
    ours.write(message)
    ours.close
    t
  end
  run_once(options[:launcher], [options[:launcher], 'ruby', options[:placeholder]], work, c[:stdin], c[:merge], theirs,
           c[:timeout_ms], on_ready)
end

def load_case(path)
  spec = JSON.parse(File.read(spec_file(path), encoding: 'utf-8'))
  { dir: path, name: File.basename(path), entry: spec.fetch('entry', 'main.rb'), args: spec.fetch('args', []),
    stdin: spec.fetch('stdin', '').b, timeout_ms: spec.fetch('timeoutMs', 20_000), merge: spec['mergeStderr'] == true,
    expect: spec }
end

# A short line diff: the common head and tail are left out, the differing middle is shown quoted.
def diff(label, a, b, names = %w[plain prestart])
  x = a.dup.force_encoding('utf-8').scrub.split("\n", -1)
  y = b.dup.force_encoding('utf-8').scrub.split("\n", -1)
  head = 0
  head += 1 while head < x.size && head < y.size && x[head] == y[head]
  tail = 0
  room = [x.size, y.size].min - head
  tail += 1 while tail < room && x[x.size - 1 - tail] == y[y.size - 1 - tail]
  lines = ["  #{label} differs from line #{head + 1} (- #{names[0]}, + #{names[1]}):"]
  lines += x[head...(x.size - tail)].first(20).map { |l| "    - #{l.to_json}" }
  lines += y[head...(y.size - tail)].first(20).map { |l| "    + #{l.to_json}" }
  lines.join("\n")
end

def compare_starts(plain, pre)
  problems = []
  problems << "  the launcher never became ready; its stderr: #{pre[:stderr].inspect}" unless pre[:ready]
  problems << diff('stdout', plain[:stdout], pre[:stdout]) if plain[:stdout] != pre[:stdout]
  problems << diff('stderr', plain[:stderr], pre[:stderr]) if plain[:stderr] != pre[:stderr]
  if [plain[:code], plain[:signal]] != [pre[:code], pre[:signal]]
    problems << "  exit: plain #{plain[:code]}/#{plain[:signal]}, prestart #{pre[:code]}/#{pre[:signal]}"
  end
  problems
end

# Where the plain start is not what case.json expects: so both starts being wrong alike is caught too.
def check_expectations(c, plain)
  e = c[:expect]
  problems = []
  if e.key?('stdout') && plain[:stdout] != e['stdout'].b
    problems << diff('plain stdout', e['stdout'].b, plain[:stdout], %w[case.json plain])
  end
  if e.key?('stderr') && plain[:stderr] != e['stderr'].b
    problems << diff('plain stderr', e['stderr'].b, plain[:stderr], %w[case.json plain])
  end
  if e.key?('exitCode') && plain[:code] != e['exitCode']
    problems << "  exit code: case.json #{e['exitCode']}, plain #{plain[:code]}/#{plain[:signal]}"
  end
  if e.key?('signal') && plain[:signal] != e['signal']
    problems << "  signal: case.json #{e['signal']}, plain #{plain[:code]}/#{plain[:signal]}"
  end
  if e.key?('stderrMatch') && plain[:stderr].dup.force_encoding('utf-8').scrub !~ Regexp.new(e['stderrMatch'])
    problems << "  plain stderr does not match #{e['stderrMatch'].to_json}"
  end
  Array(e['stderrIncludes']).each do |part|
    text = plain[:stderr].dup.force_encoding('utf-8').scrub
    problems << "  plain stderr lacks #{part.to_json}" unless text.include?(part)
  end
  problems
end

def median(xs)
  xs = xs.compact.sort
  return Float::NAN if xs.empty?

  xs.size.odd? ? xs[xs.size / 2] : (xs[xs.size / 2 - 1] + xs[xs.size / 2]) / 2.0
end

def main
  options = parse_args(ARGV.dup)
  failed = 0
  options[:cases].each do |path|
    c = load_case(path)
    plain = plain_run(c, options)
    pre = prestart_run(c, options)
    differences = compare_starts(plain, pre)
    expectations = check_expectations(c, plain)
    problems = differences + expectations
    exit_ = plain[:signal] || plain[:code]
    # A case.json "knownDifference" (why) lets the two starts differ: reported, not counted.
    known = c[:expect]['knownDifference']
    verdict = problems.empty? ? 'pass' : known && expectations.empty? ? 'known' : 'FAIL'
    puts format('%-5s %s  (exit %s)%s', verdict, c[:name], exit_, verdict == 'known' ? ": #{known}" : '')
    unless problems.empty?
      failed += 1 if verdict == 'FAIL'
      puts problems.join("\n")
    end
    $stdout.flush
    next unless options[:bench].positive?

    runs = { plain: [], prestart: [] }
    options[:bench].times do
      runs[:plain] << plain_run(c, options)
      runs[:prestart] << prestart_run(c, options)
    end
    runs.each do |mode, rs|
      from = mode == :plain ? 'spawn' : 'hand-over'
      ready = mode == :plain ? '' : format('; spawn -> hand-over %.1f ms', median(rs.map { |r| r[:to_ready] }))
      puts format('  %-8s %s -> first byte %.1f ms, -> exit %.1f ms (median of %d)%s', mode, from,
                  median(rs.map { |r| r[:to_first] }), median(rs.map { |r| r[:to_exit] }), rs.size, ready)
      $stdout.flush
    end
  end
  empty_dir(options[:work])
  puts "#{options[:cases].size - failed}/#{options[:cases].size} cases pass"
  exit(failed.zero? ? 0 : 1)
end

main
