package clientaddr_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/clientaddr"
)

func request(remoteAddr string, forwardedFor ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/responses", nil)
	r.RemoteAddr = remoteAddr
	for _, line := range forwardedFor {
		r.Header.Add("X-Forwarded-For", line)
	}
	return r
}

func resolver(t *testing.T, trusted string) clientaddr.Resolver {
	t.Helper()
	prefixes, err := clientaddr.ParseTrusted(trusted)
	require.NoError(t, err)
	res, err := clientaddr.NewResolver(prefixes)
	require.NoError(t, err)
	return res
}

func TestClient(t *testing.T) {
	t.Parallel()
	const proxies = "10.0.0.0/8, 2001:db8:ffff::/48"
	tests := []struct {
		name         string
		trusted      string
		remoteAddr   string
		forwardedFor []string
		want         string
	}{
		{"without trusted proxies the client is the peer", "", "203.0.113.7:4711", nil, "203.0.113.7"},
		{"without trusted proxies X-Forwarded-For is ignored", "", "203.0.113.7:4711", []string{"198.51.100.1"}, "203.0.113.7"},
		{"an untrusted peer's X-Forwarded-For is ignored", proxies, "203.0.113.7:4711", []string{"198.51.100.1"}, "203.0.113.7"},
		{"a trusted peer names its client", proxies, "10.0.0.2:4711", []string{"198.51.100.1"}, "198.51.100.1"},
		{"the right-most untrusted address wins", proxies, "10.0.0.2:4711", []string{"192.0.2.66, 198.51.100.1, 10.1.1.1"}, "198.51.100.1"},
		{"a made-up address left of the client is not believed", proxies, "10.0.0.2:4711", []string{"10.9.9.9, 198.51.100.1"}, "198.51.100.1"},
		{"several header lines are one list in order", proxies, "10.0.0.2:4711", []string{"192.0.2.66, 198.51.100.1", "10.0.0.3"}, "198.51.100.1"},
		{"the last header line is read first", proxies, "10.0.0.2:4711", []string{"192.0.2.66", "198.51.100.1"}, "198.51.100.1"},
		{"spaces, tabs and empty entries are skipped", proxies, "10.0.0.2:4711", []string{" 198.51.100.1 ,\t, 10.0.0.3 ,, "}, "198.51.100.1"},
		{"an entry's port is dropped", proxies, "10.0.0.2:4711", []string{"198.51.100.1:51234"}, "198.51.100.1"},
		{"a bracketed IPv6 entry with a port is read", proxies, "10.0.0.2:4711", []string{"[2001:db8:1:2::9]:443"}, "2001:db8:1:2::9"},
		{"a bracketed IPv6 entry without a port is read", proxies, "10.0.0.2:4711", []string{"[2001:db8:1:2::9]"}, "2001:db8:1:2::9"},
		{"an IPv4-mapped entry is its IPv4 address", proxies, "10.0.0.2:4711", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"an IPv4-mapped trusted entry is trusted", proxies, "10.0.0.2:4711", []string{"198.51.100.1, ::ffff:10.0.0.3"}, "198.51.100.1"},
		{"an entry's zone is dropped", proxies, "10.0.0.2:4711", []string{"fe80::1%eth0"}, "fe80::1"},
		{"garbage stops the walk at the last trusted hop", proxies, "10.0.0.2:4711", []string{"198.51.100.1, unknown, 10.0.0.3"}, "10.0.0.3"},
		{"garbage right after the peer leaves the peer", proxies, "10.0.0.2:4711", []string{"198.51.100.1, _obfuscated"}, "10.0.0.2"},
		{"brackets around an IPv4 address are garbage", proxies, "10.0.0.2:4711", []string{"[198.51.100.1]"}, "10.0.0.2"},
		{"a port out of range is garbage", proxies, "10.0.0.2:4711", []string{"198.51.100.1:70000"}, "10.0.0.2"},
		{"a trusted peer without X-Forwarded-For is the client", proxies, "10.0.0.2:4711", nil, "10.0.0.2"},
		{"when every hop is trusted the left-most is the client", proxies, "10.0.0.2:4711", []string{"10.0.0.5, 10.0.0.3"}, "10.0.0.5"},
		{"an IPv6 trusted peer names its client", proxies, "[2001:db8:ffff::1]:443", []string{"2001:db8:1:2::9"}, "2001:db8:1:2::9"},
		{"an IPv4-mapped peer is its IPv4 address", proxies, "[::ffff:10.0.0.2]:4711", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a peer's zone is dropped", "", "[fe80::1%eth0]:4711", nil, "fe80::1"},
		{"a peer without a port is read", "", "203.0.113.7", nil, "203.0.113.7"},
		{"a single trusted address is a range of one", "10.0.0.2", "10.0.0.2:4711", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a neighbour of a single trusted address is not trusted", "10.0.0.2", "10.0.0.3:4711", []string{"198.51.100.1"}, "10.0.0.3"},
		{"a Unix socket peer is an unknown client", proxies, "@", []string{"198.51.100.1"}, "invalid IP"},
		{"an empty peer is an unknown client", "", "", nil, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := resolver(t, tt.trusted).Client(request(tt.remoteAddr, tt.forwardedFor...))
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestZeroResolverTrustsNoProxy(t *testing.T) {
	t.Parallel()
	var res clientaddr.Resolver
	assert.Equal(t, "10.0.0.2", res.Client(request("10.0.0.2:1", "198.51.100.1")).String())
}

func TestBucket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr string
		want string
	}{
		{"an IPv4 address is counted on its own", "198.51.100.1", "198.51.100.1/32"},
		{"an IPv6 address is counted by its /64", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"an IPv4-mapped address is counted as IPv4", "::ffff:198.51.100.1", "198.51.100.1/32"},
		{"a zone does not split a /64", "fe80::1%eth0", "fe80::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, clientaddr.Bucket(netip.MustParseAddr(tt.addr)).String())
		})
	}
	assert.False(t, clientaddr.Bucket(netip.Addr{}).IsValid(), "an unknown client has no bucket")
	assert.Equal(t,
		clientaddr.Bucket(netip.MustParseAddr("2001:db8:1:2::1")),
		clientaddr.Bucket(netip.MustParseAddr("2001:db8:1:2:ffff::1")),
		"two addresses of one /64 share a bucket")
}

func TestParseTrusted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		list    string
		want    []string
		wantErr string
	}{
		{"an empty list trusts nothing", "", nil, ""},
		{"a blank list trusts nothing", "  ", nil, ""},
		{"ranges and addresses mix", "10.0.0.0/8, 192.0.2.10 ,2001:db8::/32", []string{"10.0.0.0/8", "192.0.2.10/32", "2001:db8::/32"}, ""},
		{"an IPv6 address is a /128", "2001:db8::1", []string{"2001:db8::1/128"}, ""},
		{"host bits are masked", "10.1.2.3/8", []string{"10.0.0.0/8"}, ""},
		{"an IPv4-mapped range is its IPv4 range", "::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}, ""},
		{"an IPv4-mapped address is its IPv4 address", "::ffff:10.0.0.1", []string{"10.0.0.1/32"}, ""},
		{"an empty entry is an error", "10.0.0.0/8,,192.0.2.1", nil, `""`},
		{"a name is an error", "10.0.0.0/8,proxy.internal", nil, `"proxy.internal"`},
		{"a bad prefix length is an error", "10.0.0.0/33", nil, `"10.0.0.0/33"`},
		{"a zone is an error", "fe80::1%eth0", nil, `"fe80::1%eth0"`},
		{"a range wider than the IPv4-mapped block is an error", "::ffff:0:0/90", nil, "IPv4-mapped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := clientaddr.ParseTrusted(tt.list)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "flexguard/clientaddr:")
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			var texts []string
			for _, p := range got {
				texts = append(texts, p.String())
			}
			assert.Equal(t, tt.want, texts)
		})
	}
}

func TestNewResolverRefusesAnInvalidRange(t *testing.T) {
	t.Parallel()
	_, err := clientaddr.NewResolver([]netip.Prefix{{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flexguard/clientaddr:")
}

// Client runs on every request: an ordinary request costs no allocation.
func TestClientAllocatesNothingForOrdinaryAddresses(t *testing.T) {
	res := resolver(t, "10.0.0.0/8")
	for _, r := range []*http.Request{
		request("203.0.113.7:4711"),
		request("10.0.0.2:4711", "192.0.2.66, 198.51.100.1, 10.1.1.1"),
		request("10.0.0.2:4711", "2001:db8:1:2::9"),
		request("[2001:db8:ffff::1]:443"),
	} {
		var got netip.Addr
		allocs := testing.AllocsPerRun(100, func() { got = res.Client(r) })
		assert.Zero(t, allocs, "%s %v -> %s", r.RemoteAddr, r.Header["X-Forwarded-For"], got)
	}
}

func TestForwardedFor(t *testing.T) {
	t.Parallel()
	const proxies = "10.0.0.0/8, 2001:db8:ffff::/48"
	tests := []struct {
		name         string
		trusted      string
		remoteAddr   string
		forwardedFor []string
		wantClient   string
		want         string
	}{
		{"without trusted proxies it is the peer alone", "", "203.0.113.7:4711", []string{"198.51.100.1"}, "203.0.113.7", "203.0.113.7"},
		{"an untrusted peer's own list is dropped", proxies, "203.0.113.7:4711", []string{"10.0.0.9, 198.51.100.1"}, "203.0.113.7", "203.0.113.7"},
		{"a trusted peer's client comes first, the peer last", proxies, "10.0.0.2:4711", []string{"198.51.100.1"}, "198.51.100.1", "198.51.100.1, 10.0.0.2"},
		{"trusted hops between client and peer are kept in order", proxies, "10.0.0.2:4711", []string{"198.51.100.1, 10.1.1.1", "10.0.0.3"}, "198.51.100.1", "198.51.100.1, 10.1.1.1, 10.0.0.3, 10.0.0.2"},
		{"what the client wrote left of itself is dropped", proxies, "10.0.0.2:4711", []string{"10.9.9.9, 192.0.2.66, 198.51.100.1, 10.1.1.1"}, "198.51.100.1", "198.51.100.1, 10.1.1.1, 10.0.0.2"},
		{"entries are written as addresses, without ports or zones", proxies, "[2001:db8:ffff::1]:443", []string{"[2001:db8:1::9]:8443"}, "2001:db8:1::9", "2001:db8:1::9, 2001:db8:ffff::1"},
		{"garbage stops the list at the last trusted hop", proxies, "10.0.0.2:4711", []string{"198.51.100.1, unknown, 10.0.0.3"}, "10.0.0.3", "10.0.0.3, 10.0.0.2"},
		{"when every hop is trusted the list starts at the left-most", proxies, "10.0.0.2:4711", []string{"10.0.0.5, 10.0.0.3"}, "10.0.0.5", "10.0.0.5, 10.0.0.3, 10.0.0.2"},
		{"a Unix socket peer gives nothing", proxies, "@", []string{"198.51.100.1"}, "invalid IP", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, got := resolver(t, tt.trusted).ForwardedFor(request(tt.remoteAddr, tt.forwardedFor...))
			assert.Equal(t, tt.wantClient, client.String())
			assert.Equal(t, tt.want, got)
		})
	}
}
