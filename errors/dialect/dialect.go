package dialect

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Writer renders a rejection. It has the shape of
// middleware.Options.ErrorWriter, so any Writer plugs in there directly:
//
//	opts := middleware.Options{ErrorWriter: dialect.Fireworks}
//
// A nil err, or one whose code is not in the catalog, is answered as
// internal_error, as apierrors.Write does.
type Writer func(w http.ResponseWriter, r *http.Request, err *apierrors.Error)

// FlexInference is the canonical shape, apierrors.Write, under a dialect
// name so that a configuration can choose it like the others.
func FlexInference(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) {
	if err == nil {
		err = apierrors.New(apierrors.InternalError, "", "")
	}
	apierrors.Write(w, err)
}

// The names ByName knows, as a -dialect flag would spell them.
const (
	NameFlexInference = "flexinference"
	NameFireworks     = "fireworks"
	NameMSKeys        = "mskeys"
	NameGIP           = "gip"
)

var byName = map[string]Writer{
	NameFlexInference: FlexInference,
	NameFireworks:     Fireworks,
	NameMSKeys:        MSKeys,
	NameGIP:           GIP,
}

// ByName returns the dialect called name (see [Names]); ok is false for a
// name it does not know. Names are exact and lower case.
func ByName(name string) (w Writer, ok bool) {
	w, ok = byName[name]
	return w, ok
}

// Names returns the known dialect names, sorted, for flag help and error
// messages.
func Names() []string {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// row is one dialect's rendering of one canonical code. Fields a dialect
// has no place for stay empty.
type row struct {
	status int
	typ    string // the body's "type"
	code   string // the body's "code"; "" leaves the field out
}

// table maps canonical codes to rows; a test checks that every code of
// apierrors.Codes has one.
type table = map[apierrors.Code]row

// shape says how a dialect lays out its body.
type shape struct {
	object         bool // "object":"error" first, as OpenAI-compatible servers send
	messageFirst   bool // "message" before "type", as the dialect documents it
	param          bool // render "param" (null when the error names no field)
	typeFromStatus bool // the body's type names the status ("bad_request")
	code           bool // the body has a "code" field
}

// customRow renders an embedder's own code (from its schemas) in a
// dialect: its own status and name, laid out as the dialect lays out its
// rows.
func customRow(s shape, err *apierrors.Error) row {
	rw := row{status: err.Status(), typ: string(err.Type())}
	if s.typeFromStatus {
		rw.typ = strings.ReplaceAll(strings.ToLower(http.StatusText(rw.status)), " ", "_")
	}
	if s.code {
		rw.code = string(err.Code())
	}
	return rw
}

// write renders err through t in the layout s. The headers follow
// apierrors.Write: Allow survives only on a 405 and Retry-After only on a
// 429, because a status the client reads differently makes them noise.
func write(w http.ResponseWriter, t table, s shape, err *apierrors.Error) {
	if err == nil { // a bug in the caller never reaches the client as text
		err = apierrors.New(apierrors.InternalError, "", "")
	}
	rw, inCatalog := t[err.Code()]
	if !inCatalog {
		rw = customRow(s, err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case rw.status == http.StatusMethodNotAllowed:
		h.Set("Allow", http.MethodPost)
	case rw.status == http.StatusTooManyRequests && err.RetryAfter() > 0:
		h.Set("Retry-After", strconv.Itoa(int(err.RetryAfter()/time.Second)))
	}
	body := appendBody(make([]byte, 0, 256), s, rw, err)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rw.status)
	_, _ = w.Write(body)
}

// appendBody appends {"error":{...}} in the field order of the dialect's
// documentation.
func appendBody(dst []byte, s shape, rw row, err *apierrors.Error) []byte {
	dst = append(dst, `{"error":{`...)
	if s.object {
		dst = append(dst, `"object":"error",`...)
	}
	if s.messageFirst {
		dst = append(dst, `"message":`...)
		dst = gjson.AppendJSONString(dst, err.Message())
		dst = append(dst, ',')
	}
	dst = append(dst, `"type":`...)
	dst = gjson.AppendJSONString(dst, rw.typ)
	if rw.code != "" {
		dst = append(dst, `,"code":`...)
		dst = gjson.AppendJSONString(dst, rw.code)
	}
	if !s.messageFirst {
		dst = append(dst, `,"message":`...)
		dst = gjson.AppendJSONString(dst, err.Message())
	}
	if s.param {
		dst = append(dst, `,"param":`...)
		if p := err.Param(); p != "" {
			dst = gjson.AppendJSONString(dst, p)
		} else {
			dst = append(dst, "null"...)
		}
	}
	return append(dst, "}}\n"...)
}
