import call from '@locales/en/call.json';
import campaign from '@locales/en/campaign.json';
import consoleTexts from '@locales/en/console.json';
import email from '@locales/en/email.json';
import entities from '@locales/en/entities.json';
import outcome from '@locales/en/outcome.json';
import scenario from '@locales/en/scenario.json';
import validation from '@locales/en/validation.json';
import bitrix24 from '@locales/en/bitrix24.json';

/** The areas of the server's locale files the console uses, under the server's own keys (one chunk per language). */
export default { call, console: consoleTexts, campaign, email, entities, outcome, scenario, validation, bitrix24 };
