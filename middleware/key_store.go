package middleware

import "context"

// KeyStore is where the gateway's API keys are looked up, by digest: the
// embedder's database, cache or file. Stores hold digests, never keys. It
// turns keys on (see Options.KeyStore and [Guard.KeysAndLimits]), and must
// be safe for concurrent use.
type KeyStore interface {
	// LookupKey returns the record of the key whose digest (the lowercase
	// hex SHA-256 of the whole key, 64 characters) is digest, with found
	// true; found false for a key the store does not know. An error means
	// the store could not answer: the request is answered internal_error
	// (500) rather than refused as unauthenticated, and it does not count
	// as a failed authentication. ctx is the request's.
	LookupKey(ctx context.Context, digest string) (rec KeyRecord, found bool, err error)
}

// KeyRecord is what a key store knows of one key.
type KeyRecord struct {
	// Org is the organisation the key belongs to, as the handler and the
	// per-organisation limiter know it. A record without one is the
	// store's fault, answered internal_error.
	Org string

	// Revoked keys are refused as invalid_api_key, as unknown ones are.
	Revoked bool

	// RateLimit is the organisation's own request limit; a record whose
	// limit is not a valid LimitRule is the store's fault, answered
	// internal_error. Zero: Options.DefaultOrgLimit applies.
	RateLimit LimitRule
}

// Caller is who sent an authenticated request: its organisation and the
// id of its key, never the key itself.
type Caller struct {
	// Org is the organisation of the key (KeyRecord.Org).
	Org string
	// KeyID is the first 12 hex characters of the key's digest: enough to
	// tell keys apart in logs and metrics, and of no use to an attacker.
	KeyID string
}

// CallerFrom returns who sent the request whose context is ctx, as
// KeysAndLimits found it. ok is false when keys are off, outside a
// flexguard middleware, or before the key was checked. The embedder's
// hooks (Options.DefaultStartWithin, HasProviderKey, OrgOverdue) are
// called with a request whose context answers it.
func CallerFrom(ctx context.Context) (c Caller, ok bool) {
	x, ok := ctx.Value(exchangeKey{}).(*exchange)
	if !ok || x.caller.Org == "" {
		return Caller{}, false
	}
	return x.caller, true
}
