// The wire contract of CodeRunner, shared by the server and the editor (docs/api.md).
export * from './auth.js';
export * from './file-names.js';
export * from './output-files.js';
export * from './run-request.js';
export * from './run-result.js';
export * from './test-cases.js';
export * from './ws.js';
