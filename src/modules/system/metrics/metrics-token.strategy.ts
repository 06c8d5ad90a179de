import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { BearerCredentialStrategy } from '../../../common/auth/bearer-credential.strategy.js';
import { PassportRegistryService } from '../../../common/auth/passport-registry.service.js';
import type { MetricsScraperPrincipal } from '../../../common/auth/principal.js';
import { METRICS_TOKEN_STRATEGY } from '../../../common/auth/strategy-names.js';
import { matchesDigest, sha256 } from '../../../common/crypto/secret-digest.js';
import { AppConfig } from '../../../config/app-config.js';

const SCRAPER: MetricsScraperPrincipal = Object.freeze({ kind: 'metrics-scraper', id: 'metrics-token' });

/** `METRICS_TOKEN` as a bearer (compared in constant time); tried only on the metrics level's routes. */
@Injectable()
export class MetricsTokenStrategy extends PassportStrategy(BearerCredentialStrategy, METRICS_TOKEN_STRATEGY) {
  private readonly tokenDigest?: Buffer;

  constructor(config: AppConfig, registry: PassportRegistryService) {
    super();
    this.tokenDigest = config.metricsToken ? sha256(config.metricsToken) : undefined;
    registry.register(METRICS_TOKEN_STRATEGY, this);
  }

  validate(credential: string): MetricsScraperPrincipal | false {
    return this.tokenDigest !== undefined && matchesDigest(credential, this.tokenDigest) ? SCRAPER : false;
  }
}
