// Package dialect renders flexguard's rejections in the error shapes of
// other gateways, so that a client written against one of them keeps
// parsing every error after flexguard is put in front.
//
// Each dialect is a [Writer], which plugs into
// middleware.Options.ErrorWriter:
//
//	w, ok := dialect.ByName("fireworks")
//	if !ok {
//		log.Fatalf("unknown dialect; want one of %v", dialect.Names())
//	}
//	guard, err := middleware.New(middleware.Options{ErrorWriter: w})
//
// The dialects:
//
//   - flexinference: the canonical body, exactly apierrors.Write.
//   - fireworks: Fireworks' inference API. Its documentation is a table of
//     statuses with names (400 Bad Request, 402 Payment Required, 429 Over
//     Quota, ...), so the status carries the meaning and the type is the
//     name in snake case, in the OpenAI-compatible envelope with param.
//   - mskeys: the gateway whose keys start with ms- and mk-. Its error
//     object is {message, type, code} with OpenAI-style types and no
//     param; it lists statuses but no codes, so the canonical code is
//     kept and only the status moves.
//   - gip: the gateway whose errors are {type, code, message} with its own
//     code list (invalid_argument, not_found, stream_terminated, ...) and
//     types named after the status ("bad_request").
//
// # Choosing the nearest code
//
// Every canonical code has a row in every dialect's table; the tables are
// the reference, and each row whose choice is not obvious says why. The
// rules behind them:
//
//   - Keep the canonical status when the dialect lists it. A client's
//     retry logic keys on the status, so a 4xx never becomes a 5xx or a
//     429: billing trouble that waiting does not fix must not look
//     retryable.
//   - Otherwise take the dialect's status that a client of that gateway
//     would handle the same way: payment_required is 402 for Fireworks
//     but 403 for mskeys, which reports an insufficient balance as 403;
//     request_too_large is 400 where there is no 413; method_not_allowed
//     is 404 where there is no 405 (no endpoint answers that method).
//   - A model that exists but does not fit the request (not flex-capable,
//     no provider key) stays a 400 about the request, never the dialect's
//     "model not found" (Fireworks' 403 and 404, gip's unknown_model).
//   - client_closed_request (499) is never written, since nobody is
//     listening, but has a row so that the table is total.
//
// # What is kept
//
// The message is always the canonical error's own text: the dialects
// change the shape and the classification, never the advice. param is
// rendered where the dialect has a place for it (fireworks). Allow: POST
// is sent only when the dialect's status is 405, and Retry-After only
// when it is 429 (only rate limits map to 429, and every rate-limit error
// carries its wait), since other statuses give them no meaning.
//
// An embedder's own code (from its schemas; see apierrors.CustomCode)
// keeps its own status and name in every dialect: the type is the status
// name where the dialect names types by status (fireworks, gip), and the
// code is the embedder's where the dialect has a code field (gip, mskeys).
package dialect
