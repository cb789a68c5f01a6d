package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/conformance"
)

// TestAnUnreadableBodyIsNeverAnsweredWithASuccess plays, over raw sockets,
// the conformance cases whose bodies cannot be read to their end against
// real gateways: the flexgate binary with its production timeouts, and,
// for the bodies that stall, a gateway in process whose read timeout is
// cut to 2 seconds. Broken framing is answered 400 invalid_json with
// Connection: close, and then the connection closes; a client that
// half-closes, resets or stalls gets nothing at all. Each is logged once,
// with its code and status.
func TestAnUnreadableBodyIsNeverAnsweredWithASuccess(t *testing.T) {
	t.Parallel()
	production := startServe(t, "-addr", "127.0.0.1:0")
	cfg := testConfig()
	cfg.timeouts.read = 2 * time.Second
	impatient := startInProcess(t, cfg)

	for _, c := range conformance.Unreadables() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			gateway := production
			if c.Stalls {
				gateway = impatient
			}
			remote, written, err := c.Play(gateway.addr, patience)
			require.NoError(t, err)
			require.NoError(t, c.CheckWritten(written))

			line := gateway.waitLog(t, func(l string) bool {
				return strings.Contains(l, `"request rejected"`) && strings.Contains(l, `"remote":"`+remote+`"`)
			})
			var entry struct {
				Status int
				Code   string
			}
			require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
			assert.Equal(t, c.WantCode, entry.Code)
			assert.Equal(t, map[string]int{"invalid_json": 400, "client_closed_request": 499}[c.WantCode], entry.Status)
		})
	}
}
