// Network escapes, checked without sending a single packet off the machine: TCP and UDP to a TEST-NET-1
// address (192.0.2.1, reserved for documentation, never routed), TCP to an IPv6 documentation address
// (2001:db8::1), a DNS lookup, raw and packet sockets, and a TCP connection to a port this test process listens
// on at the host's loopback. What must hold: the container has `--network none`: only `lo`, no route, so
// connect()/sendto() fail at once with ENETUNREACH (EHOSTUNREACH under gVisor) instead of timing out, name
// resolution fails, raw/packet sockets are refused for lack of CAP_NET_RAW, and the host's loopback is not
// the container's (connection refused).
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, expectStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

// A listener on the host's loopback: if the sandbox shared the host's network it could reach this.
let hostListener: Server;
let hostPort = 0;
let hostConnections = 0;
beforeAll(async () => {
  hostListener = createServer((socket) => {
    hostConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => hostListener.listen(0, '127.0.0.1', resolve));
  hostPort = (hostListener.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => hostListener.close(resolve));
});

// ENETUNREACH 101 under runc; gVisor's netstack answers EHOSTUNREACH 113 for the same missing route.
const UNREACHABLE = /^(101|113)$/;

/** Runs one socket attempt per line, printing `label errno seconds` or `label SUCCEEDED`. */
function probe(attempts: Array<[string, string]>): string {
  return [
    'import socket, time',
    'def attempt(label, fn):',
    '    t = time.monotonic()',
    '    try:',
    '        fn(); print(label, "SUCCEEDED", flush=True)',
    '    except OSError as e:',
    '        print(label, e.errno, round(time.monotonic() - t, 2), flush=True)',
    'def tcp(family, addr):',
    '    s = socket.socket(family, socket.SOCK_STREAM); s.settimeout(3); s.connect(addr)',
    ...attempts.map(([label, expr]) => `attempt(${JSON.stringify(label)}, lambda: ${expr})`),
  ].join('\n');
}

function parse(stdout: string): Map<string, { errno: string; seconds: number }> {
  const out = new Map<string, { errno: string; seconds: number }>();
  for (const line of stdout.trimEnd().split('\n')) {
    const [label, errno, seconds] = line.split(' ');
    out.set(label!, { errno: errno!, seconds: Number(seconds) });
  }
  return out;
}

describe('network attempts', () => {
  it('TCP and UDP to a TEST-NET address and IPv6 fail at once with no route', async () => {
    const code = probe([
      ['tcp4', 'tcp(socket.AF_INET, ("192.0.2.1", 80))'],
      ['udp4', 'socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53))'],
      ['tcp6', 'tcp(socket.AF_INET6, ("2001:db8::1", 80))'],
      ['udp6', 'socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"x", ("2001:db8::1", 53))'],
    ]);
    await attack(py(code), (outcome) => {
      const results = parse(expectStatus(outcome, 'ok').stdout);
      expect([...results.keys()]).toEqual(['tcp4', 'udp4', 'tcp6', 'udp6']);
      for (const [label, r] of results) {
        expect(r.errno, label).toMatch(UNREACHABLE);
        expect(r.seconds, label).toBeLessThan(1);
      }
    });
  });

  it('DNS lookups fail (no resolver reachable)', async () => {
    const code = [
      'import socket',
      'for name in ("example.com", "localhost.localdomain.invalid"):',
      '    try: print(name, "RESOLVED", socket.getaddrinfo(name, 80))',
      '    except socket.gaierror as e: print(name, e.errno)',
      'print("resolv.conf", repr(open("/etc/resolv.conf").read().strip()) if __import__("os").path.exists("/etc/resolv.conf") else "absent")',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).not.toContain('RESOLVED');
      // EAI_AGAIN (-3) or EAI_NONAME (-2).
      expect(run.stdout).toMatch(/^example\.com -(2|3)\nlocalhost\.localdomain\.invalid -(2|3)\n/);
    });
  });

  it('raw and packet sockets are refused for lack of CAP_NET_RAW', async () => {
    const code = probe([
      ['raw-icmp', 'socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'],
      ['raw-tcp', 'socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)'],
      ['raw6', 'socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)'],
      ['packet', 'socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))'],
    ]);
    await attack(py(code), (outcome) => {
      const results = parse(expectStatus(outcome, 'ok').stdout);
      expect(results.size).toBe(4);
      // EPERM (1); EAFNOSUPPORT (97) would be as good for AF_PACKET.
      for (const [label, r] of results) expect(r.errno, label).toMatch(/^(1|97)$/);
    });
  });

  it("has only the loopback interface and cannot reach the host's loopback", async () => {
    const code = [
      'import socket',
      'print("interfaces", [n for _, n in socket.if_nameindex()])',
      'routes = open("/proc/net/route").read().strip().split("\\n")[1:]',
      'print("routes", len(routes))',
      'try:',
      `    s = socket.create_connection(("127.0.0.1", ${hostPort}), timeout=3); print("host loopback CONNECTED")`,
      'except OSError as e: print("host loopback", e.errno)',
    ].join('\n');
    hostConnections = 0;
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      // ECONNREFUSED (111): the sandbox's 127.0.0.1 is its own, where nothing listens.
      expect(run.stdout).toBe("interfaces ['lo']\nroutes 0\nhost loopback 111\n");
    });
    expect(hostConnections).toBe(0);
  });
});
