import { describe } from 'vitest';
import { twilioFamilyHarness } from './harness.js';
import { platformSuite } from './platformSuite.js';

describe('voice platform: twilio', () => platformSuite(() => twilioFamilyHarness('twilio', 0.01)));
