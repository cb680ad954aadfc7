// Settings of the identity core: session timeouts, login throttling, password policy and hashing cost.
import { defaultLoginThrottle, type LoginThrottleSettings } from './login-throttle.ts';
import { owaspArgon2Params, type Argon2Params } from './password-hasher.ts';
import { defaultPasswordPolicy, type PasswordPolicy } from './password-policy.ts';
import { defaultSessionTimeouts, type SessionTimeouts } from './session.ts';

export interface IdentitySettings {
  readonly session: SessionTimeouts;
  readonly throttle: LoginThrottleSettings;
  readonly passwordPolicy: PasswordPolicy;
  /** argon2id cost; OWASP's parameters unless the operator (or a test) chooses others. */
  readonly argon2: Argon2Params;
  /** A token's use is recorded (last-used time and an `auth.api_token.used` event) at most this often. */
  readonly tokenUseRecordIntervalMs: number;
  /** Tokens may not be made to live longer than this. */
  readonly maxTokenLifetimeMs: number;
  /** Largest page a listing returns. */
  readonly maxPageSize: number;
}

export const defaultIdentitySettings: IdentitySettings = {
  session: defaultSessionTimeouts,
  throttle: defaultLoginThrottle,
  passwordPolicy: defaultPasswordPolicy,
  argon2: owaspArgon2Params,
  tokenUseRecordIntervalMs: 3_600_000,
  maxTokenLifetimeMs: 5 * 366 * 24 * 3_600_000,
  maxPageSize: 500,
};

/** What the configuration may set (`WRIT_SESSION_IDLE_MINUTES`, `WRIT_SESSION_ABSOLUTE_HOURS`). */
export interface IdentityConfigFields {
  readonly sessionIdleMinutes?: number | undefined;
  readonly sessionAbsoluteHours?: number | undefined;
}

/**
 * The settings with the configured session timeouts applied over the defaults.
 * @example identitySettingsFromConfig({ sessionIdleMinutes: 15 }).session.idleMs // 900000
 */
export function identitySettingsFromConfig(config: IdentityConfigFields, base: IdentitySettings = defaultIdentitySettings): IdentitySettings {
  return {
    ...base,
    session: {
      ...base.session,
      ...(config.sessionIdleMinutes === undefined ? {} : { idleMs: config.sessionIdleMinutes * 60_000 }),
      ...(config.sessionAbsoluteHours === undefined ? {} : { absoluteMs: config.sessionAbsoluteHours * 3_600_000 }),
    },
  };
}
