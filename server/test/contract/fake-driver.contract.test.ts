// The SandboxDriver contract on the in-memory fake: what lets unit tests trust it.
import { FakeSandboxDriver } from '../fakes/fake-sandbox-driver.js';
import { sandboxDriverContract } from './sandbox-driver-contract.js';

sandboxDriverContract('in-memory fake', () => new FakeSandboxDriver(), {
  spec: { language: 'python', image: 'coderunner/python:latest', memoryMb: 128, pids: 32 },
  missingImage: 'coderunner-test/none:latest',
  canUpdateLimits: true,
  caseTimeoutMs: 5000,
  faults: {
    hangEngine: (driver) => {
      (driver as FakeSandboxDriver).faults.engineHang = true;
    },
  },
});

sandboxDriverContract(
  'in-memory fake, gVisor-like (limits fixed at creation)',
  () => new FakeSandboxDriver({ canUpdateLimits: false }),
  {
    spec: { language: 'python', image: 'coderunner/python:latest', memoryMb: 128, pids: 32 },
    missingImage: 'coderunner-test/none:latest',
    canUpdateLimits: false,
    caseTimeoutMs: 5000,
  },
);
