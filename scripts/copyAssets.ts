// The build carries what tsc does not: SQL migrations next to the compiled store.
import fs from 'node:fs';
fs.cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
// …and the VoxEngine scenario uploaded to Voximplant by `voice-setup` (plain JavaScript, run by Voximplant, not Node).
fs.cpSync('src/voice/voximplant/scenario.js', 'dist/voice/voximplant/scenario.js');
