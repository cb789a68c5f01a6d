package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
)

// echoAnswer is the built-in upstream's answer to a valid request.
type echoAnswer struct {
	Object      string `json:"object"` // always "flexgate.echo"
	Endpoint    string `json:"endpoint"`
	Model       string `json:"model"`
	Provider    string `json:"provider"`
	StartWithin string `json:"start_within"`
	Bytes       int64  `json:"bytes"`
	SHA256      string `json:"sha256"`
	// With keys on: who called (never the key).
	Org   string `json:"org,omitempty"`
	KeyID string `json:"key_id,omitempty"`
}

// echo is the upstream used without -upstream. It reports what validation
// learned, and the length and SHA-256 of the body it read itself from
// r.Body: proof that the handler behind the chain gets the client's exact
// bytes.
func echo(w http.ResponseWriter, r *http.Request) {
	res, _ := middleware.ResultFrom(r.Context())
	caller, _ := middleware.CallerFrom(r.Context())
	digest := sha256.New()
	n, err := io.Copy(digest, r.Body)
	if err != nil {
		apierrors.Write(w, apierrors.New(apierrors.InternalError, "", ""))
		return
	}
	answer, err := json.Marshal(echoAnswer{
		Object:      "flexgate.echo",
		Endpoint:    res.Endpoint.String(),
		Model:       res.Model,
		Provider:    res.Provider.String(),
		StartWithin: res.StartWithin.String(),
		Bytes:       n,
		SHA256:      hex.EncodeToString(digest.Sum(nil)),
		Org:         caller.Org,
		KeyID:       caller.KeyID,
	})
	if err != nil {
		apierrors.Write(w, apierrors.New(apierrors.InternalError, "", ""))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(answer, '\n'))
}
