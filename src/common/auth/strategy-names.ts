/** Passport strategy names; the strategies themselves live in `modules/auth`. */
export const USER_JWT_STRATEGY = 'user-jwt';
export const HUB_TOKEN_STRATEGY = 'hub-token';

/** Tried in this order on agent-or-user and admin routes; the most frequent credential (user JWT) first. */
export const ANY_CREDENTIAL_STRATEGIES = [USER_JWT_STRATEGY, HUB_TOKEN_STRATEGY];
