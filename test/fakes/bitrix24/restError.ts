/**
 * A REST failure the way Bitrix24 reports it: an HTTP status plus `{error, error_description}`
 * (RD:error-codes.md). `extra` carries additional top-level keys some methods add (`argument`).
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code || '(empty code)'}: ${description}`);
    this.name = 'RestError';
  }

  toBody(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

/**
 * Classic CRM methods answer "not found" and similar with an EMPTY error code and HTTP 400
 * (`{"error":"","error_description":"Not found"}`, RD:crm-deal-get.md) — brief gotcha 18.
 */
export function crmError(description: string, status = 400): RestError {
  return new RestError(status, '', description);
}

export const errors = {
  noAuth: () => new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'),
  expired: () => new RestError(401, 'expired_token', 'The access token provided has expired.'),
  invalidToken: () => new RestError(401, 'invalid_token', 'The access token provided is invalid.'),
  methodNotFound: () => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
  insufficientScope: () =>
    new RestError(403, 'insufficient_scope', 'The request requires higher privileges than provided by the access token'),
  accessDenied: (text = 'Access denied!') => new RestError(403, 'ACCESS_DENIED', text),
  wrongAuthType: () =>
    new RestError(403, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method'),
  queryLimit: () => new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'),
  operationTimeLimit: () =>
    new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'),
  internal: (text = 'Internal server error') => new RestError(500, 'INTERNAL_SERVER_ERROR', text),
} as const;
