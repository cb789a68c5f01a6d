package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trickle opens a connection, writes head at once, then drip one byte
// every interval until the server closes the connection. It reports on
// closed when the server hung up, with how long the connection lived.
func trickle(addr, head, drip string, interval time.Duration, closed chan<- time.Duration, stop <-chan struct{}) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	start := time.Now()
	gone := make(chan struct{})
	go func() { // the server's close (or answer) ends this read
		_, _ = io.Copy(io.Discard, conn)
		close(gone)
	}()
	go func() {
		defer conn.Close()
		if _, err := conn.Write([]byte(head)); err != nil {
			<-gone
			closed <- time.Since(start)
			return
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-gone:
				closed <- time.Since(start)
				return
			case <-stop:
				return
			case <-tick.C:
				_, _ = conn.Write([]byte{drip[i%len(drip)]})
			}
		}
	}()
	return nil
}

// TestSlowClientsAreCutOffWhileOthersAreServed: 50 connections trickle
// their headers and 20 their body, a byte every 200 ms. The server's read
// timeouts (shortened for the test to 1 s for headers and 2 s for the
// whole request, on a gateway run in process) must close every one of
// them, and ordinary requests sent meanwhile must each be answered,
// correctly, within 5 seconds.
func TestSlowClientsAreCutOffWhileOthersAreServed(t *testing.T) {
	// Not parallel: 70 connections want the machine to themselves.
	const (
		headerTricklers = 50
		bodyTricklers   = 20
		dripEvery       = 200 * time.Millisecond
		answerWithin    = 5 * time.Second
		closedWithin    = 10 * time.Second // timeouts of 1 s and 2 s, with room for a slow machine
	)
	cfg := testConfig()
	cfg.timeouts.readHeader, cfg.timeouts.read = time.Second, 2*time.Second
	p := startInProcess(t, cfg)

	stop := make(chan struct{})
	defer close(stop)
	closed := make(chan time.Duration, headerTricklers+bodyTricklers)
	for range headerTricklers {
		require.NoError(t, trickle(p.addr, "POST /v1/responses HTTP/1.1\r\nHost: flexgate\r\nX-Slow: ", "abcdefgh", dripEvery, closed, stop))
	}
	body := `{"model":"gpt-5.5","start_within":"auto","input":"` + strings.Repeat("slow ", 200) + `"}`
	for range bodyTricklers {
		head := fmt.Sprintf("POST /v1/responses HTTP/1.1\r\nHost: flexgate\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		require.NoError(t, trickle(p.addr, head, body, dripEvery, closed, stop))
	}

	// Ordinary requests while the tricklers hold their connections: two
	// clients, one request after another, for the first few seconds.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: answerWithin}
	defer client.CloseIdleConnections()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		served  int
		slowest time.Duration
	)
	until := time.Now().Add(3 * time.Second)
	for w := range 2 {
		wg.Go(func() {
			for i := 0; time.Now().Before(until); i++ {
				sent := []byte(fmt.Sprintf(`{"model":"gpt-5.5","start_within":"00h-00m-30s","input":"client %d request %d"}`, w, i))
				began := time.Now()
				resp, err := client.Post(p.base+"/v1/responses", "application/json", strings.NewReader(string(sent)))
				if !assert.NoError(t, err, "an ordinary request was not answered within %v", answerWithin) {
					return
				}
				got, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				took := time.Since(began)
				requireEcho(t, answer{status: resp.StatusCode, header: resp.Header, body: got}, sent)
				require.NoError(t, err)
				mu.Lock()
				served++
				slowest = max(slowest, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	deadline := time.After(closedWithin)
	var lived []time.Duration
	for len(lived) < headerTricklers+bodyTricklers {
		select {
		case d := <-closed:
			lived = append(lived, d)
		case <-deadline:
			t.Fatalf("the server closed %d of %d trickling connections within %v",
				len(lived), headerTricklers+bodyTricklers, closedWithin)
		}
	}
	longest := time.Duration(0)
	for _, d := range lived {
		longest = max(longest, d)
	}
	t.Logf("ordinary requests answered: %d, slowest %v; trickling connections closed: %d, the longest lived %v",
		served, slowest.Round(time.Millisecond), len(lived), longest.Round(time.Millisecond))
	assert.Positive(t, served)
	assert.Less(t, slowest, answerWithin)

	// A body cut off by the read timeout reaches the chain as a failed
	// read, the same as a client that hung up: it is logged as
	// client_closed_request and answered nothing. A stalled header never
	// reaches the chain at all.
	const closedLine = `"code":"client_closed_request"`
	timeout := time.After(closedWithin)
	for {
		lines, changed := p.log.snapshot()
		cut := strings.Count(strings.Join(lines, "\n"), closedLine)
		if cut >= bodyTricklers {
			assert.Equal(t, bodyTricklers, cut, "one client_closed_request per trickled body")
			break
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("%d of %d trickled bodies logged as client_closed_request", cut, bodyTricklers)
		}
	}
}
