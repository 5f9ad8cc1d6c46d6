import call from '@locales/ru/call.json';
import campaign from '@locales/ru/campaign.json';
import consoleTexts from '@locales/ru/console.json';
import email from '@locales/ru/email.json';
import entities from '@locales/ru/entities.json';
import outcome from '@locales/ru/outcome.json';
import scenario from '@locales/ru/scenario.json';
import validation from '@locales/ru/validation.json';
import bitrix24 from '@locales/ru/bitrix24.json';

/** The areas of the server's locale files the console uses, under the server's own keys (one chunk per language). */
export default { call, console: consoleTexts, campaign, email, entities, outcome, scenario, validation, bitrix24 };
