package middleware_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

// post builds a POST request to path with body, as a server hands it over.
func post(path, body string) *http.Request {
	return httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
}

// serve runs r through h and returns the recorded answer.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// okHandler answers 200 "ok" and counts its calls.
type okHandler struct{ calls atomic.Int32 }

func (h *okHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.calls.Add(1)
	_, _ = io.WriteString(w, "ok")
}

// errorCode returns the code and param of a canonical error answer, or ""
// for a pass.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) (code, param string) {
	t.Helper()
	if rec.Code == http.StatusOK {
		return "", ""
	}
	var body struct {
		Error struct {
			Code  string  `json:"code"`
			Param *string `json:"param"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	if body.Error.Param != nil {
		param = *body.Error.Param
	}
	return body.Error.Code, param
}

// rejections collects what OnReject is told.
type rejections struct {
	n    atomic.Int32
	last atomic.Pointer[apierrors.Error]
}

func (rj *rejections) record(_ *http.Request, err *apierrors.Error) {
	rj.n.Add(1)
	rj.last.Store(err)
}

// panicMessage returns what f panics with, as a string, or "" when it
// does not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg, _ = v.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
