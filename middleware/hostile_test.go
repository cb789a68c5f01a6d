package middleware_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// exchangeResult is what one request through Handler produced.
type exchangeResult struct {
	rec      *httptest.ResponseRecorder
	handled  bool
	received []byte
	result   validate.Result
}

// throughHandler sends body as a POST to path through a Guard's Handler,
// in front of a handler that records what it was given.
func throughHandler(t *testing.T, opts middleware.Options, path string, body []byte) exchangeResult {
	t.Helper()
	var out exchangeResult
	h := newGuard(t, opts).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out.handled = true
		var err error
		out.received, err = io.ReadAll(r.Body)
		require.NoError(t, err)
		out.result, _ = middleware.ResultFrom(r.Context())
		w.WriteHeader(http.StatusOK)
	}))
	out.rec = httptest.NewRecorder()
	h.ServeHTTP(out.rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
	return out
}

// errorBody decodes a canonical error answer.
func errorBody(t *testing.T, rec *httptest.ResponseRecorder) (code, param, message string) {
	t.Helper()
	var body struct {
		Error struct {
			Code    string  `json:"code"`
			Param   *string `json:"param"`
			Message string  `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), "the answer is JSON: %.200q", rec.Body.String())
	if body.Error.Param != nil {
		param = *body.Error.Param
	}
	return body.Error.Code, param, body.Error.Message
}

// TestDeepNestingIsAnsweredWithoutGrowingStacks sends bodies that are
// nothing but '[' through Handler. Each must be invalid_json, and the
// goroutine stacks in use, read while the rejected requests are still on
// their goroutines (in OnReject), must stay small: a validator that
// recursed once per bracket would need hundreds of megabytes of stack for
// a single one of these bodies.
func TestDeepNestingIsAnsweredWithoutGrowingStacks(t *testing.T) {
	// Not parallel: StackInuse is process-wide, and other tests' goroutines
	// would blur it.
	const stackBound = 64 << 20
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var (
		mu       sync.Mutex
		maxStack uint64
		rejected int
	)
	opts := middleware.Options{Policy: validate.Policy{MaxBodyBytes: 2 << 20}}
	opts.OnReject = func(_ *http.Request, err *apierrors.Error) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		defer mu.Unlock()
		maxStack = max(maxStack, m.StackInuse)
		rejected++
	}
	handler := newGuard(t, opts).Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("a body of unclosed brackets reached the handler")
	}))
	send := func(body []byte) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/responses", bytes.NewReader(body)))
		return rec
	}

	oneMillion := bytes.Repeat([]byte{'['}, 1_000_000)
	rec := send(oneMillion)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	code, _, _ := errorBody(t, rec)
	assert.Equal(t, "invalid_json", code)

	const concurrent = 32
	oneMiB := bytes.Repeat([]byte{'['}, 1<<20)
	codes := make([]string, concurrent)
	var wg sync.WaitGroup
	for i := range concurrent {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader(oneMiB)))
			var body struct{ Error struct{ Code string } }
			if json.Unmarshal(rec.Body.Bytes(), &body) == nil {
				codes[i] = body.Error.Code
			}
		})
	}
	wg.Wait()
	for i, code := range codes {
		assert.Equal(t, "invalid_json", code, "request %d", i)
	}

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	assert.Equal(t, concurrent+1, rejected)
	t.Logf("StackInuse: before %d KiB, highest while rejecting %d KiB, after %d KiB",
		before.StackInuse>>10, maxStack>>10, after.StackInuse>>10)
	assert.Less(t, maxStack, uint64(stackBound), "stacks grew while rejecting deep bodies")
	assert.Less(t, after.StackInuse, uint64(stackBound))
}

// TestInvalidUTF8AnywhereIsInvalidJSON puts bytes that are not UTF-8 in
// every place a string can be. Each would otherwise pass (the same body
// with the bytes replaced by "x" does), so the UTF-8 check is what fails.
func TestInvalidUTF8AnywhereIsInvalidJSON(t *testing.T) {
	t.Parallel()
	const template = `{"model":"gpt-5.5","start_within":"auto",%s}`
	bad := map[string]string{
		"a lone continuation byte":       "\x80",
		"a truncated two-byte sequence":  "\xc3",
		"an overlong encoding of '/'":    "\xc0\xaf",
		"an encoded UTF-16 surrogate":    "\xed\xa0\x80",
		"a code point above U+10FFFF":    "\xf4\x90\x80\x80",
		"the byte 0xFF":                  "\xff",
		"a truncated four-byte sequence": "\xf0\x9f\x98",
	}
	places := map[string]string{
		"in a top-level key":            `"meta%s":1`,
		"in a top-level value":          `"metadata":"a%sb"`,
		"in a nested key":               `"metadata":{"k%s":"v"}`,
		"in a string nested in arrays":  `"input":[{"role":"user","content":[{"type":"input_text","text":"hi %s"}]}]`,
		"at the end of a nested string": `"metadata":{"note":"x%s"}`,
	}
	for badName, bytesOut := range bad {
		for placeName, place := range places {
			t.Run(badName+" "+placeName+" is invalid_json", func(t *testing.T) {
				t.Parallel()
				control := throughHandler(t, middleware.Options{}, "/v1/responses",
					[]byte(strings.Replace(template, "%s", strings.Replace(place, "%s", "x", 1), 1)))
				require.True(t, control.handled, "the same body in valid UTF-8 passes: %s", control.rec.Body)

				body := []byte(strings.Replace(template, "%s", strings.Replace(place, "%s", bytesOut, 1), 1))
				got := throughHandler(t, middleware.Options{}, "/v1/responses", body)
				require.False(t, got.handled)
				require.Equal(t, http.StatusBadRequest, got.rec.Code)
				code, _, _ := errorBody(t, got.rec)
				assert.Equal(t, "invalid_json", code)
			})
		}
	}
}

// goInternals matches what must never reach a client: traces, panics and
// source paths.
var goInternals = regexp.MustCompile(`goroutine|panic|runtime\.|\.go:\d|/(usr|root|home|tmp|work)/`)

// TestHostileValuesGetSmallAnswers sends values of 100 KB where the
// answer might repeat them. Every answer must stay under 1 KB, be valid
// JSON and say nothing about the gateway's internals.
func TestHostileValuesGetSmallAnswers(t *testing.T) {
	t.Parallel()
	const maxAnswer = 1 << 10
	huge := strings.Repeat("a", 100<<10)
	hugeUnicode := strings.Repeat("é", 50<<10)
	strict := middleware.Options{Policy: validate.Policy{StrictDuplicateKeys: true}}

	// A duplicate under 9,000 levels of arrays, and one under 9,000
	// levels of objects with 64-byte keys: each key in the path is cut,
	// but the path as a whole needs its own bound.
	deepArrays := strings.Repeat("[", 9000) + `{"a":1,"a":2}` + strings.Repeat("]", 9000)
	key64 := `"` + strings.Repeat("k", 64) + `":`
	deepObjects := `{"model":"gpt-5.5",` + strings.Repeat(key64+"{", 9000) + `"a":1,"a":2` + strings.Repeat("}", 9000) + `}`

	cases := []struct {
		name     string
		opts     middleware.Options
		path     string
		body     string
		wantCode string
	}{
		{"a 100 KB model name with a duration on a non-flex model", middleware.Options{}, "/v1/responses",
			`{"model":"gpt-4o-` + huge + `","start_within":"00h-00m-30s"}`, "model_not_flex_capable"},
		{"a 100 KB model name of two-byte characters", middleware.Options{}, "/v1/responses",
			`{"model":"gpt-4o-` + hugeUnicode + `","start_within":"00h-00m-30s"}`, "model_not_flex_capable"},
		{"a 100 KB start_within", middleware.Options{}, "/v1/responses",
			`{"model":"gpt-5.5","start_within":"` + huge + `"}`, "invalid_start_within"},
		{"a 100 KB start_within of two-byte characters", middleware.Options{}, "/v1/responses",
			`{"model":"gpt-5.5","start_within":"` + hugeUnicode + `"}`, "invalid_start_within"},
		{"a 100 KB key repeated in strict mode", strict, "/v1/responses",
			`{"model":"gpt-5.5","` + huge + `":1,"` + huge + `":2}`, "invalid_json"},
		{"a 100 KB two-byte key repeated in strict mode", strict, "/v1/responses",
			`{"model":"gpt-5.5","` + hugeUnicode + `":1,"` + hugeUnicode + `":2}`, "invalid_json"},
		{"a repeated key 9,000 arrays deep in strict mode", strict, "/v1/responses",
			`{"model":"gpt-5.5","input":` + deepArrays + `}`, "invalid_json"},
		{"a repeated key 9,000 objects deep with long keys in strict mode", strict, "/v1/responses",
			deepObjects, "invalid_json"},
		{"a 100 KB unknown path", middleware.Options{}, "/v1/" + huge, `{}`, "unknown_url"},
		{"a 100 KB cache_control path on messages", middleware.Options{}, "/v1/messages",
			`{"model":"claude-x","start_within":"auto","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"` + huge + `","cache_control":{}}]}]}`, "unsupported_parameter"},
		{"a body of 100 KB of garbage", middleware.Options{}, "/v1/responses", "{" + huge, "invalid_json"},
	}
	for _, c := range cases {
		t.Run(c.name+" is answered in under 1 KB", func(t *testing.T) {
			t.Parallel()
			got := throughHandler(t, c.opts, c.path, []byte(c.body))
			require.False(t, got.handled)
			assert.Less(t, got.rec.Body.Len(), maxAnswer, "answer: %.300s", got.rec.Body)
			assert.True(t, json.Valid(got.rec.Body.Bytes()), "the answer is JSON")
			code, param, message := errorBody(t, got.rec)
			assert.Equal(t, c.wantCode, code)
			assert.NotRegexp(t, goInternals, got.rec.Body.String())
			assert.LessOrEqual(t, len(param), clienttext.MaxPath, "param")
			assert.LessOrEqual(t, len(message), 700, "message")
			for _, run := range []string{"a", "é", "k"} {
				long := strings.Repeat(run, clienttext.MaxValue/len(run)+1)
				assert.NotContains(t, got.rec.Body.String(), long, "a client value repeated past its bound")
			}
		})
	}
}

// awaitedBody counts, once, a request whose body reader is asked for more
// after its first bytes: by then the Guard holds all it reserved for the
// body, and is waiting for the rest.
type awaitedBody struct {
	io.ReadCloser
	got     int
	counted bool
	waiting *atomic.Int32
}

func (b *awaitedBody) Read(p []byte) (int, error) {
	if b.got > 0 && !b.counted {
		b.counted = true
		b.waiting.Add(1)
	}
	n, err := b.ReadCloser.Read(p)
	b.got += n
	return n, err
}

// memoryNow returns the heap in use after a collection, and the resident
// size (0 where /proc does not tell it).
func memoryNow(t *testing.T) (heap, rss uint64) {
	t.Helper()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m.HeapInuse, 0
	}
	m2 := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	if m2 == nil {
		return m.HeapInuse, 0
	}
	kib, err := strconv.ParseUint(string(m2[1]), 10, 64)
	require.NoError(t, err)
	return m.HeapInuse, kib << 10
}

// TestDeclaredLengthsBuyNoMemoryBeforeTheirBytes opens 800 connections to
// a real server that each declare a body of 1,000,000 bytes and send one
// byte, and waits until the Guard is waiting for the rest of every one.
// The heap in use, and without the race detector the resident size, must
// have grown by less than 100 MB: a buffer of the declared length each
// would be 800 MB.
func TestDeclaredLengthsBuyNoMemoryBeforeTheirBytes(t *testing.T) {
	// Not parallel: it measures the process's memory.
	const (
		conns    = 800
		declared = 1_000_000
		bound    = 100 << 20
		wait     = 60 * time.Second
	)
	var waiting atomic.Int32
	rejected := make(chan *apierrors.Error, conns)
	guarded := newGuard(t, middleware.Options{OnReject: func(_ *http.Request, err *apierrors.Error) { rejected <- err }}).
		Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Error("the handler ran for a body that never arrived")
		}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &awaitedBody{ReadCloser: r.Body, waiting: &waiting}
		guarded.ServeHTTP(w, r)
	}))
	defer srv.Close()

	heapBefore, rssBefore := memoryNow(t)
	head := fmt.Sprintf("POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n{", declared)
	clients := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		clients = append(clients, c)
		_, err = io.WriteString(c, head)
		require.NoError(t, err)
	}
	deadline := time.Now().Add(wait)
	for waiting.Load() < conns && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // a poll interval, not an assertion
	}
	require.EqualValues(t, conns, waiting.Load(), "bodies being read after %v", wait)

	heapDuring, rssDuring := memoryNow(t)
	heapGrowth, rssGrowth := int64(heapDuring)-int64(heapBefore), int64(rssDuring)-int64(rssBefore)
	t.Logf("%d connections declaring %d bytes and sending 1: heap in use grew by %.1f MB, resident size by %.1f MB",
		conns, declared, float64(heapGrowth)/(1<<20), float64(rssGrowth)/(1<<20))
	assert.Less(t, heapGrowth, int64(bound), "heap in use")
	if !raceEnabled && rssBefore > 0 {
		assert.Less(t, rssGrowth, int64(bound), "resident size")
	}

	for _, c := range clients {
		_ = c.Close()
	}
	for range conns {
		select {
		case err := <-rejected:
			require.Equal(t, apierrors.ClientClosedRequest, err.Code())
		case <-time.After(wait):
			t.Fatalf("not every abandoned body was reported within %v", wait)
		}
	}
}
