import { WS_CLOSE } from '@coderunner/protocol';

/** What a close code of the run WebSocket means to a student (docs/api.md), for a run that has no result. */
export function describeCloseCode(code: number): string {
  switch (code) {
    case WS_CLOSE.normal:
      return 'the server ended the run without a readable result';
    case WS_CLOSE.badRequest:
      return 'the server rejected the run request';
    case WS_CLOSE.tooMuchEarly:
      return 'too much input was sent before the program started; run again';
    case WS_CLOSE.queueFull:
      return 'the server is busy (queue full); try again in a moment';
    case WS_CLOSE.unavailable:
      return 'no sandbox is available right now; try again in a moment';
    case WS_CLOSE.internal:
      return 'the server had an internal error';
    default:
      return `the connection closed unexpectedly (code ${code})`;
  }
}
