import { describe } from 'vitest';
import { twilioFamilyHarness } from './harness.js';
import { platformSuite } from './platformSuite.js';

describe('voice platform: telnyx', () => platformSuite(() => twilioFamilyHarness('telnyx', 0.01)));
