package keysfile

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// maxFile bounds what Load reads: a keys file of a million keys is about
// 100 MB; anything bigger is a mistake.
const maxFile = 256 << 20

// File is a loaded keys file. It is read-only and safe for concurrent
// use.
type File struct {
	keys map[string]middleware.KeyRecord // by digest, each with its limit
	orgs map[string]org
}

// org is an organisation's settings.
type org struct {
	providerKeys [3]bool // by validate.Provider
	overdue      bool
	defaultSW    validate.StartWithin
	hasDefaultSW bool
}

// The file's JSON shape.
type (
	fileJSON struct {
		Keys             []keyJSON          `json:"keys"`
		Orgs             map[string]orgJSON `json:"orgs"`
		DefaultRateLimit *limitJSON         `json:"default_rate_limit"`
	}
	keyJSON struct {
		SHA256  string `json:"sha256"`
		Org     string `json:"org"`
		Revoked bool   `json:"revoked,omitempty"`
	}
	orgJSON struct {
		ProviderKeys       []string   `json:"provider_keys"`
		Overdue            bool       `json:"overdue"`
		DefaultStartWithin string     `json:"default_start_within"`
		RateLimit          *limitJSON `json:"rate_limit"`
	}
	limitJSON struct {
		Requests      int64 `json:"requests"`
		WindowSeconds int64 `json:"window_seconds"`
	}
)

// LoadFile reads the keys file at path.
func LoadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keys file: %w", err)
	}
	defer f.Close()
	return Load(f)
}

// Load reads a keys file. Errors start with "keys file:" and name the
// field at fault.
func Load(r io.Reader) (*File, error) {
	src, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("keys file: %w", err)
	}
	if len(src) > maxFile {
		return nil, fmt.Errorf("keys file: larger than %d MB", maxFile>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	var raw fileJSON
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("keys file: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("keys file: more after the JSON object")
	}
	f := &File{keys: make(map[string]middleware.KeyRecord, len(raw.Keys)), orgs: make(map[string]org, len(raw.Orgs))}
	var defaultLimit middleware.LimitRule
	if raw.DefaultRateLimit != nil {
		if defaultLimit, err = raw.DefaultRateLimit.rule("default_rate_limit"); err != nil {
			return nil, err
		}
	}
	limits := make(map[string]middleware.LimitRule, len(raw.Orgs))
	for _, name := range slices.Sorted(maps.Keys(raw.Orgs)) { // the first error in name order
		o := raw.Orgs[name]
		field := "orgs[" + clienttext.Quote(name) + "]"
		if name == "" {
			return nil, errors.New("keys file: orgs has an organisation named \"\"")
		}
		var settings org
		for i, p := range o.ProviderKeys {
			provider, ok := providerByName[p]
			if !ok {
				return nil, fmt.Errorf("keys file: %s.provider_keys[%d] is %s; want openai, gemini or anthropic", field, i, clienttext.Quote(p))
			}
			settings.providerKeys[provider] = true
		}
		settings.overdue = o.Overdue
		if o.DefaultStartWithin != "" {
			if settings.defaultSW, err = validate.ParseStartWithin(o.DefaultStartWithin); err != nil {
				return nil, fmt.Errorf("keys file: %s.default_start_within: %w", field, err)
			}
			settings.hasDefaultSW = true
		}
		if o.RateLimit != nil {
			if limits[name], err = o.RateLimit.rule(field + ".rate_limit"); err != nil {
				return nil, err
			}
		}
		f.orgs[name] = settings
	}
	seen := make(map[string]int, len(raw.Keys))
	for i, k := range raw.Keys {
		if !isDigest(k.SHA256) {
			return nil, fmt.Errorf("keys file: keys[%d].sha256 must be 64 lowercase hex characters, the SHA-256 of the key (flexgate keygen prints it)", i)
		}
		if j, dup := seen[k.SHA256]; dup {
			return nil, fmt.Errorf("keys file: keys[%d].sha256 is keys[%d]'s again", i, j)
		}
		seen[k.SHA256] = i
		if _, ok := f.orgs[k.Org]; !ok {
			return nil, fmt.Errorf("keys file: keys[%d].org is %s, which orgs does not list", i, clienttext.Quote(k.Org))
		}
		// The default limit goes into each record, so that a reloaded file
		// changes it as it changes an organisation's own.
		f.keys[k.SHA256] = middleware.KeyRecord{Org: k.Org, Revoked: k.Revoked, RateLimit: cmp.Or(limits[k.Org], defaultLimit)}
	}
	return f, nil
}

var providerByName = map[string]validate.Provider{
	validate.OpenAI.String():    validate.OpenAI,
	validate.Gemini.String():    validate.Gemini,
	validate.Anthropic.String(): validate.Anthropic,
}

// maxWindowSeconds is a year: a longer window is a mistake, and keeps
// the window's nanoseconds far from overflowing.
const maxWindowSeconds = 366 * 24 * 60 * 60

// rule converts a limit, naming field in its errors.
func (l *limitJSON) rule(field string) (middleware.LimitRule, error) {
	if l.Requests < 1 || l.Requests > math.MaxInt32 {
		return middleware.LimitRule{}, fmt.Errorf("keys file: %s.requests must be from 1 to %d", field, math.MaxInt32)
	}
	if l.WindowSeconds < 1 || l.WindowSeconds > maxWindowSeconds {
		return middleware.LimitRule{}, fmt.Errorf("keys file: %s.window_seconds must be from 1 to %d", field, maxWindowSeconds)
	}
	return middleware.LimitRule{Limit: int(l.Requests), Window: time.Duration(l.WindowSeconds) * time.Second}, nil
}

// isDigest reports whether s is 64 lowercase hex characters.
func isDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// LookupKey implements middleware.KeyStore.
func (f *File) LookupKey(_ context.Context, digest string) (middleware.KeyRecord, bool, error) {
	rec, ok := f.keys[digest]
	return rec, ok, nil
}

// Size returns how many keys and organisations the file lists.
func (f *File) Size() (keys, orgs int) { return len(f.keys), len(f.orgs) }

// orgOf returns the settings of the organisation that sent r.
func (f *File) orgOf(r *http.Request) (org, bool) {
	c, ok := middleware.CallerFrom(r.Context())
	if !ok {
		return org{}, false
	}
	o, ok := f.orgs[c.Org]
	return o, ok
}

// HasProviderKey serves middleware.Options.HasProviderKey.
func (f *File) HasProviderKey(r *http.Request, p validate.Provider) (bool, error) {
	o, ok := f.orgOf(r)
	return ok && int(p) < len(o.providerKeys) && o.providerKeys[p], nil
}

// OrgOverdue serves middleware.Options.OrgOverdue.
func (f *File) OrgOverdue(r *http.Request) (bool, error) {
	o, ok := f.orgOf(r)
	return ok && o.overdue, nil
}

// DefaultStartWithin serves middleware.Options.DefaultStartWithin.
func (f *File) DefaultStartWithin(r *http.Request) (validate.StartWithin, bool) {
	o, ok := f.orgOf(r)
	return o.defaultSW, ok && o.hasDefaultSW
}

// Line is the entry of keys for a key of org with digest, as keygen
// prints it.
func Line(digest, org string) string {
	line, _ := json.Marshal(keyJSON{SHA256: digest, Org: org}) // strings always marshal
	return string(line)
}
