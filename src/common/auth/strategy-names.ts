/** Passport strategy names; the strategies themselves live in `modules/auth`. */
export const USER_JWT_STRATEGY = 'user-jwt';
export const HUB_TOKEN_STRATEGY = 'hub-token';
export const AGENT_KEY_STRATEGY = 'agent-key';
export const METRICS_TOKEN_STRATEGY = 'metrics-token';

/**
 * Tried in this order on agent-or-user and admin routes: the most frequent credential (user JWT) first; an
 * agent key is recognised by its prefix, so the other strategies cost nothing for it.
 */
export const ANY_CREDENTIAL_STRATEGIES = [USER_JWT_STRATEGY, AGENT_KEY_STRATEGY, HUB_TOKEN_STRATEGY];
