// Removes dist/ so that no file of an earlier build is ever packed.
require('node:fs').rmSync(require('node:path').join(__dirname, '..', 'dist'), { recursive: true, force: true });
