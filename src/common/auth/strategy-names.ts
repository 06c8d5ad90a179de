/** Passport strategy names; the strategies themselves live in `modules/auth`. */
export const USER_JWT_STRATEGY = 'user-jwt';
export const HUB_TOKEN_STRATEGY = 'hub-token';
export const AGENT_KEY_STRATEGY = 'agent-key';
export const PERSONAL_TOKEN_STRATEGY = 'personal-token';
export const METRICS_TOKEN_STRATEGY = 'metrics-token';

/**
 * Tried in this order on agent-or-user and admin routes: the most frequent credential (user JWT) first; agent
 * keys and personal access tokens are recognised by their prefix, so the other strategies cost nothing for them.
 */
export const ANY_CREDENTIAL_STRATEGIES = [
  USER_JWT_STRATEGY,
  AGENT_KEY_STRATEGY,
  PERSONAL_TOKEN_STRATEGY,
  HUB_TOKEN_STRATEGY,
];
