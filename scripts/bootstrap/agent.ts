// Step 3: build the in-container agent (agent/, C, statically linked) that every runtime image copies in.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BootstrapError, findExecutable, isRootOnDebian, runOrFail } from './util.js';
import type { Apt, StepResult } from './util.js';

/** Where `make -C agent` leaves the binary, relative to the repository root. */
export const AGENT_BINARY = 'agent/build/coderunner-agent';

/** Runs `make -C agent` (installing a C toolchain first when missing) and returns the agent binary's path. */
export async function buildAgent(repoRoot: string, apt: Apt): Promise<StepResult<string>> {
  const agentDir = join(repoRoot, 'agent');
  if (!existsSync(join(agentDir, 'Makefile'))) {
    throw new BootstrapError(
      `${join(agentDir, 'Makefile')} does not exist`,
      'the agent is not written yet (or the checkout is incomplete); add agent/Makefile that builds ' +
        `${AGENT_BINARY}, then run this again`,
    );
  }
  if (!findExecutable('gcc') || !findExecutable('make')) {
    if (!isRootOnDebian()) {
      throw new BootstrapError(
        'gcc or make missing',
        'install a C toolchain with static libc (gcc, make, libc6-dev)',
      );
    }
    // libc6-dev carries libc.a, which the static link needs.
    await apt.install(['gcc', 'make', 'libc6-dev']);
  }
  // make decides what is stale, so calling it every time costs little and keeps the binary current.
  const result = await runOrFail('make', ['--no-print-directory', '-C', agentDir], 'make -C agent', {
    echoPrefix: '    make │ ',
  });
  const binary = join(repoRoot, AGENT_BINARY);
  if (!existsSync(binary)) {
    throw new BootstrapError(
      `make -C agent succeeded but ${AGENT_BINARY} does not exist`,
      'fix agent/Makefile',
    );
  }
  const upToDate = result.tail.every((line) =>
    /Nothing to be done|is up to date|Entering|Leaving/.test(line),
  );
  return { value: binary, summary: `${upToDate ? 'up to date' : 'built'}, ${AGENT_BINARY}` };
}
