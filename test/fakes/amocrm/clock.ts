/**
 * The emulator's "now": token lifetimes, the 3-month refresh-token expiry, the rate limiter and
 * bans read it, so a test jumps forward instead of waiting. The same shiftable clock as the
 * Bitrix24 emulator's (`nowSeconds()` is the unit amoCRM uses for `created_at`, `expires_in`, JWT claims).
 */
export { EmulatorClock } from '../bitrix24/clock.js';
