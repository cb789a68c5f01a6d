package stream

import (
	"encoding/json"
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// The defaults of Options.ErrorObject and Options.WriteError are this
// file's only use of the errors package: the catalog's
// upstream_stream_failed, rendered by the catalog itself.

// catalogErrorObject returns upstream_stream_failed's error object, the
// inside of the catalog's {"error":{...}} body.
func catalogErrorObject() []byte {
	body, err := apierrors.New(apierrors.UpstreamStreamFailed, "", "").MarshalJSON()
	var envelope struct {
		Error json.RawMessage `json:"error"`
	}
	if err != nil || json.Unmarshal(body, &envelope) != nil {
		panic("flexguard/stream: the catalog cannot render upstream_stream_failed")
	}
	return envelope.Error
}

// writeCatalogError answers 502 upstream_stream_failed.
func writeCatalogError(w http.ResponseWriter, _ *http.Request, _ error) {
	apierrors.Write(w, apierrors.New(apierrors.UpstreamStreamFailed, "", ""))
}
