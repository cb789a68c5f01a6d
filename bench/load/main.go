// Command load compares, on loopback, a server guarded by flexguard's
// middleware Chain with a bare server doing the same echo work (read the
// body, hash it, answer JSON) without validation. Both run in this
// process on 127.0.0.1; each is driven by the same number of keep-alive
// connections with the same mix of 2 KB chat bodies (80% valid, 20%
// invalid), for a bounded time and a bounded number of requests, and the
// command prints req/s, p50 and p99 for both and their ratio.
//
//	go run ./load -duration 10s -requests 200000 -conns 32
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flexinference/flexguard/internal/testbodies"
	"github.com/flexinference/flexguard/middleware"
)

// echo is the upstream work both servers do: read the body, hash it and
// answer its size and digest.
func echo(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"bytes":%d,"sha256":"%s"}`, n, hex.EncodeToString(h.Sum(nil)))
}

// mix returns the request bodies in the order they are sent: four valid
// chat bodies for each invalid one, the invalid ones cycling through
// broken rules.
func mix(chat []byte) [][]byte {
	broken := [][]byte{
		bytes.Replace(chat, []byte(`"temperature"`), []byte(`"seed":7,"temperature"`), 1),
		bytes.Replace(chat, []byte(`"temperature"`), []byte(`"service_tier":"flex","temperature"`), 1),
		bytes.Replace(chat, []byte(`"model":"gpt-5.5"`), []byte(`"model":""`), 1),
		bytes.Replace(chat, []byte(`"00h-00m-30s"`), []byte(`"soon"`), 1),
		chat[:len(chat)-1], // truncated: invalid_json
	}
	var out [][]byte
	for i := range 50 {
		if i%5 == 4 {
			out = append(out, broken[(i/5)%len(broken)])
		} else {
			out = append(out, chat)
		}
	}
	return out
}

type result struct {
	name     string
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
	statuses map[int]int
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// drive sends requests to url from conns workers until maxRequests are
// sent or d has passed, whichever comes first.
func drive(name, url string, bodies [][]byte, conns, maxRequests int, d time.Duration) (result, error) {
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true,
	}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	var sent atomic.Int64
	deadline := time.Now().Add(d)
	lat := make([][]time.Duration, conns)
	statuses := make([]map[int]int, conns)
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range conns {
		lat[c] = make([]time.Duration, 0, maxRequests/conns+1)
		statuses[c] = map[int]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i += conns {
				if sent.Add(1) > int64(maxRequests) || time.Now().After(deadline) {
					return
				}
				body := bodies[i%len(bodies)]
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				statuses[c][resp.StatusCode]++
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return result{}, err
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	res := result{name: name, requests: len(all), elapsed: elapsed, statuses: map[int]int{}}
	if len(all) > 0 {
		res.p50, res.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	for _, s := range statuses {
		for k, v := range s {
			res.statuses[k] += v
		}
	}
	return res, nil
}

// serve starts h on a loopback port and returns its URL for path.
func serve(h http.Handler, path string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + path, func() { srv.Close() }, nil
}

func main() {
	duration := flag.Duration("duration", 10*time.Second, "longest time per server")
	requests := flag.Int("requests", 200_000, "most requests per server")
	conns := flag.Int("conns", 32, "concurrent keep-alive connections")
	flag.Parse()

	bodies, err := testbodies.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	chat := bodies[0]
	mixed := mix(chat.Bytes)

	servers := []struct {
		name string
		h    http.Handler
	}{
		{"bare", http.HandlerFunc(echo)},
		{"flexguard", middleware.Chain(middleware.Options{})(http.HandlerFunc(echo))},
	}
	var results []result
	for _, s := range servers {
		url, stop, err := serve(s.h, chat.Endpoint.Path())
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		res, err := drive(s.name, url, mixed, *conns, *requests, *duration)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", s.name+":", err)
			os.Exit(1)
		}
		results = append(results, res)
	}
	fmt.Printf("load: %d connections, %s or %d requests per server, %d-byte chat bodies, 80%% valid\n",
		*conns, *duration, *requests, len(chat.Bytes))
	fmt.Printf("%-10s %10s %10s %10s %10s  %s\n", "server", "requests", "req/s", "p50", "p99", "statuses")
	for _, r := range results {
		fmt.Printf("%-10s %10d %10.0f %10s %10s  %v\n", r.name, r.requests, r.rate(),
			r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.statuses)
	}
	fmt.Printf("ratio flexguard/bare req/s: %.3f\n", results[1].rate()/results[0].rate())
}
