import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, IsUrl, Length, validateSync, ValidateBy } from 'class-validator';
import { isValidCron } from '../../src/public-api.js';

/** 06:00 UTC: the summary of the UTC day that just ended goes out once every morning. */
export const DEFAULT_CRON = '0 6 * * *';

/** What an application passes to `DailySummaryModule.forRoot()`. */
export interface DailySummaryModuleOptions {
  /** Where the summary is POSTed (http or https; private addresses only with CALLBACK_ALLOW_PRIVATE_NETWORKS). */
  url: string;
  /** Signs each POST like task callbacks: `X-Ananta-Signature: sha256=<HMAC-SHA256 of the body>`. */
  secret?: string;
  /** When the daily send runs, in UTC (5 fields, or 6 with seconds); default `0 6 * * *`. */
  cron?: string;
}

/** The validated options, also the DI token under which the module's classes receive them. */
export class DailySummaryOptions {
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http or https URL' },
  )
  url!: string;

  @IsOptional()
  @IsString()
  @Length(16, 256, { message: 'secret must be 16 to 256 characters long' })
  secret?: string;

  @ValidateBy({
    name: 'isCron',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isValidCron(value),
      defaultMessage: () => 'cron must be a cron expression with 5 or 6 fields',
    },
  })
  cron: string = DEFAULT_CRON;
}

/** Validates the options once, when the module is built, so a mistake stops the start naming the option. */
export function validateDailySummaryOptions(raw: DailySummaryModuleOptions): DailySummaryOptions {
  const options = plainToInstance(DailySummaryOptions, raw, { exposeDefaultValues: true });
  const problems = validateSync(options, { whitelist: true, forbidNonWhitelisted: true }).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
  if (problems.length > 0) {
    throw new Error(`DailySummaryModule: ${problems.join('; ')}`);
  }
  return options;
}
