// Package keysfile reads flexgate's keys file (-keys FILE): the API keys
// by digest and the organisations they belong to, with each one's
// provider keys, billing state, default start_within and request limit.
// A loaded File (or a Live one) is the key store of
// middleware.Options.KeyStore and the organisation hooks (HasProviderKey, OrgOverdue, DefaultStartWithin),
// which find the organisation through middleware.CallerFrom.
//
//	{
//	  "keys": [{"sha256": "<hex>", "org": "org_a"}, {"sha256": "<hex>", "org": "org_a", "revoked": true}],
//	  "orgs": {"org_a": {"provider_keys": ["openai", "gemini"], "overdue": false,
//	                     "default_start_within": "auto",
//	                     "rate_limit": {"requests": 600, "window_seconds": 60}}},
//	  "default_rate_limit": {"requests": 600, "window_seconds": 60}
//	}
//
// # Decisions
//
//   - The file holds digests (the lowercase hex SHA-256 of each key),
//     never keys: flexgate keygen prints a new key once, with its line.
//   - Everything is checked at load, so that a typo stops flexgate at
//     startup rather than refusing requests later: unknown keys at any
//     level, a digest that is not 64 lowercase hex characters, a digest
//     listed twice, a key whose organisation is not under "orgs", an
//     unknown provider, a default start_within that is not one, a limit
//     that is not a number of requests per a number of seconds.
//   - provider_keys lists the providers the organisation has its own key
//     for; left out, it has none, and every model is answered no_byok_key,
//     no_gemini_key or no_anthropic_key (the check fails closed).
//   - default_rate_limit (an addition to SPEC's example) applies to
//     organisations without a rate_limit of their own; left out, they
//     have no limit.
//   - A request whose organisation the hooks cannot find (keys off, which
//     flexgate never does with a keys file) has no provider key and is not
//     overdue.
//   - A Live file is read at startup and again on each Reload (flexgate
//     reloads on SIGHUP), so that keys are added and revoked without a
//     restart or a dropped connection. A file that fails to load on a
//     reload is logged and the keys in service stay: a typo must not
//     lock every client out. A request already past its key lookup when
//     the file changes finishes with the organisation hooks of the new
//     file.
package keysfile
