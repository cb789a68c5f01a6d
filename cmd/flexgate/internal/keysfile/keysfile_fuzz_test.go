package keysfile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/flexinference/flexguard/cmd/flexgate/internal/keysfile"
)

// FuzzLoad: reading any file never panics, and a file that loads holds
// exactly its keys, each with the organisation and revocation it says.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(sample()))
	f.Add([]byte(`{"keys":[],"orgs":{}}`))
	f.Add([]byte(`{"keys":[{"sha256":"` + digest(keyA) + `","org":"a","revoked":true}],"orgs":{"a":{"rate_limit":{"requests":1,"window_seconds":1}}}}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := keysfile.Load(bytes.NewReader(src))
		if err != nil {
			if file != nil {
				t.Fatal("a file and an error")
			}
			return
		}
		var raw struct {
			Keys []struct {
				SHA256  string `json:"sha256"`
				Org     string `json:"org"`
				Revoked bool   `json:"revoked"`
			} `json:"keys"`
		}
		if err := json.Unmarshal(src, &raw); err != nil {
			t.Fatalf("Load accepted what encoding/json refuses: %v", err)
		}
		for _, k := range raw.Keys {
			rec, found, err := file.LookupKey(context.Background(), k.SHA256)
			if err != nil || !found || rec.Org != k.Org || rec.Revoked != k.Revoked {
				t.Fatalf("key %s: found %t, record %+v, error %v", k.SHA256, found, rec, err)
			}
			if rec.RateLimit.Limit != 0 && rec.RateLimit.Validate() != nil {
				t.Fatalf("key %s has a rule that is not one: %+v", k.SHA256, rec.RateLimit)
			}
		}
	})
}
