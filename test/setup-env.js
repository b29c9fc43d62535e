// n8n-core writes its instance settings (encryption key) under N8N_USER_FOLDER: keep tests
// away from ~/.n8n with a fresh folder per jest worker.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
if (!process.env.N8N_USER_FOLDER || !process.env.N8N_USER_FOLDER.includes('n8n-personalization-test-')) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-personalization-test-'));
}
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL || 'silent';
