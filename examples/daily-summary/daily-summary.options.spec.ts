import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CRON, validateDailySummaryOptions } from './daily-summary.options.js';

const URL = 'https://hooks.example.com/ananta/daily';

describe('DailySummaryModule options', () => {
  it('keeps valid options and defaults the cron', () => {
    expect({ ...validateDailySummaryOptions({ url: URL }) }).toEqual({ url: URL, cron: DEFAULT_CRON });
    const secret = 'a-secret-of-24-characters';
    expect({ ...validateDailySummaryOptions({ url: URL, secret, cron: '30 5 * * 1-5' }) }).toEqual({
      url: URL,
      secret,
      cron: '30 5 * * 1-5',
    });
  });

  it.each([
    [{ url: 'ftp://hooks.example.com/x' }, 'url must be an http or https URL'],
    [{ url: 'hooks.example.com/no-scheme' }, 'url must be an http or https URL'],
    [{ url: URL, secret: 'short' }, 'secret must be 16 to 256 characters long'],
    [{ url: URL, cron: 'every morning' }, 'cron must be a cron expression with 5 or 6 fields'],
    [{ url: URL, cron: '0 6 * *' }, 'cron must be a cron expression with 5 or 6 fields'],
    [{ url: URL, crom: '0 6 * * *' }, 'property crom should not exist'],
  ])('refuses %j, naming the option', (options, message) => {
    expect(() => validateDailySummaryOptions(options as never)).toThrow(`DailySummaryModule: ${message}`);
  });
});
