package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flexinference/flexguard/internal/testbodies"
	"github.com/flexinference/flexguard/middleware"
)

// echoAnswer mirrors flexgate's echo answer, so that the bare server
// writes as much JSON as flexgate does.
type echoAnswer struct {
	Object string `json:"object"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// copyBuffers spare the bare echo the 32 KB buffer io.Copy would
// allocate per request (r.Body has no WriteTo, a hash no ReadFrom).
// flexgate's buffered body has a WriteTo, so without them the bare server
// would pay for a buffer flexgate does not, flattering flexgate.
var copyBuffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// echo is the upstream work: read the body, hash it, answer its size and
// digest.
func echo(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	buf := copyBuffers.Get().(*[32 << 10]byte)
	n, err := io.CopyBuffer(h, r.Body, buf[:])
	copyBuffers.Put(buf)
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	answer, _ := json.Marshal(echoAnswer{Object: "echo", Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(answer, '\n'))
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
	latency  []time.Duration // one per request, in no order
	statuses map[int]int
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// add sums two runs against the same server.
func (r result) add(o result) result {
	r.name = o.name
	r.requests += o.requests
	r.elapsed += o.elapsed
	r.latency = append(r.latency, o.latency...)
	if r.statuses == nil {
		r.statuses = map[int]int{}
	}
	for k, v := range o.statuses {
		r.statuses[k] += v
	}
	return r
}

// percentile returns the latency below which p percent of requests took.
func (r result) percentile(p int) time.Duration {
	if len(r.latency) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(r.latency))
	return sorted[len(sorted)*p/100]
}

// drive sends requests to url from conns workers until maxRequests are
// sent or d has passed, whichever comes first. With auth, request i
// carries the Authorization header auth(i).
func drive(name, url string, bodies [][]byte, auth func(i int) string, conns, maxRequests int, d time.Duration) (result, error) {
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
				req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i%len(bodies)]))
				if err != nil {
					errs <- err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				if auth != nil {
					req.Header.Set("Authorization", auth(i))
				}
				t0 := time.Now()
				resp, err := client.Do(req)
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
	res := result{name: name, requests: len(all), elapsed: elapsed, latency: all, statuses: map[int]int{}}
	for _, s := range statuses {
		for k, v := range s {
			res.statuses[k] += v
		}
	}
	return res, nil
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs bin with args (which take the address) in a child
// process and waits until it accepts connections.
func startServer(bin string, args func(addr string) []string) (addr string, stop func(), err error) {
	if addr, err = freeAddr(); err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, args(addr)...)
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, stop, nil
		}
	}
	stop()
	return "", nil, errors.New(bin + " did not start listening within 10 s")
}

// server is one server under load: a binary and its arguments, given the
// address to listen on.
type server struct {
	name string
	bin  string
	args func(addr string) []string
	url  string // once started
}

// serveChild is the child process mode: serve the bare echo, or the chain
// in front of it, on addr until killed.
func serveChild(addr string, guarded bool) {
	var h http.Handler = http.HandlerFunc(echo)
	if guarded {
		guard, err := middleware.New(middleware.Options{})
		if err != nil {
			panic(err)
		}
		h = guard.Handler(h)
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintln(os.Stderr, srv.ListenAndServe())
	os.Exit(1)
}

func main() {
	duration := flag.Duration("duration", 10*time.Second, "longest time per server and mix")
	requests := flag.Int("requests", 200_000, "most requests per server and mix")
	conns := flag.Int("conns", 32, "concurrent keep-alive connections")
	rounds := flag.Int("rounds", 3, "turns each server takes per mix, the duration and requests shared among them")
	flexgate := flag.String("flexgate", "", "path of a flexgate binary to measure beside the Chain; default: the Chain alone")
	serveBare := flag.String("serve-bare", "", "child mode: serve the bare echo on this address")
	serveChain := flag.String("serve-chain", "", "child mode: serve the Chain and the echo on this address")
	keys := flag.Bool("keys", false, "compare flexgate without keys, with keys in process and with keys in Redis (needs -flexgate)")
	redisURL := flag.String("redis", "", "with -keys: the Redis to use; default: a redis-server started here")
	latencyRequests := flag.Int("latency-requests", 5000, "with -keys: requests per server over one connection, for the added latency")
	flag.Parse()
	switch {
	case *serveBare != "":
		serveChild(*serveBare, false)
	case *serveChain != "":
		serveChild(*serveChain, true)
	}

	var stops []func()
	fail := func(err error) {
		for _, stop := range stops {
			stop()
		}
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	if *rounds < 1 {
		fail(errors.New("-rounds must be at least 1"))
	}
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	bodies, err := testbodies.Load()
	if err != nil {
		fail(err)
	}
	chat := bodies[0]
	if *keys {
		if *flexgate == "" {
			fail(errors.New("-keys needs -flexgate"))
		}
		if err := compareKeys(*flexgate, *redisURL, chat, mix(chat.Bytes), *conns, *requests, *latencyRequests, *duration); err != nil {
			fail(err)
		}
		return
	}

	mixes := []struct {
		name, label string
		bodies      [][]byte
	}{
		{"mixed", "80% valid", mix(chat.Bytes)},
		// Only valid bodies: no cheap rejections to flatter the guarded server.
		{"valid", "all valid", [][]byte{chat.Bytes}},
	}

	servers := []server{
		{name: "bare", bin: self, args: func(addr string) []string { return []string{"-serve-bare", addr} }},
		{name: "chain", bin: self, args: func(addr string) []string { return []string{"-serve-chain", addr} }},
	}
	if *flexgate != "" {
		servers = append(servers, server{name: "flexgate", bin: *flexgate,
			args: func(addr string) []string { return []string{"serve", "-addr", addr} }})
	}
	// The servers run throughout and take turns, so that a burst of load
	// from elsewhere on a shared machine falls on all rather than on one.
	for k := range servers {
		addr, stop, err := startServer(servers[k].bin, servers[k].args)
		if err != nil {
			fail(err)
		}
		stops = append(stops, stop)
		servers[k].url = "http://" + addr + chat.Endpoint.String()
	}
	fmt.Printf("load: %d connections, %s or %d requests per server and mix in %d turns, %d-byte chat bodies, each server in its own process\n",
		*conns, *duration, *requests, *rounds, len(chat.Bytes))
	for _, m := range mixes {
		totals := make([]result, len(servers))
		for range *rounds {
			for k, s := range servers {
				res, err := drive(s.name, s.url, m.bodies, nil, *conns, *requests / *rounds, *duration/time.Duration(*rounds))
				if err != nil {
					fail(fmt.Errorf("%s, %s: %w", s.name, m.label, err))
				}
				totals[k] = totals[k].add(res)
			}
		}
		fmt.Printf("\n%s:\n", m.label)
		fmt.Printf("%-10s %10s %10s %10s %10s  %s\n", "server", "requests", "req/s", "p50", "p99", "statuses")
		for _, r := range totals {
			fmt.Printf("%-10s %10d %10.0f %10s %10s  %v\n", r.name, r.requests, r.rate(),
				r.percentile(50).Round(time.Microsecond), r.percentile(99).Round(time.Microsecond), r.statuses)
		}
		for _, r := range totals[1:] {
			fmt.Printf("ratio %s %s/bare req/s: %.3f\n", m.name, r.name, r.rate()/totals[0].rate())
		}
	}
	for _, stop := range stops {
		stop()
	}
}
