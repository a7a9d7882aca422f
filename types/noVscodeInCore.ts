// tsconfig.core.json maps the module 'vscode' to this file, which never compiles: code under
// src/core and src/protocol runs in plain Node and in webviews, where VS Code does not exist.
// Move the code that needs `vscode` to src/host.
const importError: 'src/core and src/protocol must not import vscode' = 'this file imports vscode';
export { importError };
