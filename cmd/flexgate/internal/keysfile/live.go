package keysfile

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// Live is the keys file at a path, read again on each Reload, so that keys
// can be added and revoked while flexgate serves. It serves the key store
// and the organisation hooks from whichever File loaded last; a file that
// fails to load leaves the one in service in place. It is safe for
// concurrent use.
type Live struct {
	path    string
	current atomic.Pointer[File]
}

// OpenLive loads the keys file at path.
func OpenLive(path string) (*Live, error) {
	f, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	l := &Live{path: path}
	l.current.Store(f)
	return l, nil
}

// Reload reads the file again and, when it loads, serves it from the next
// lookup on. It returns the File now in service; on an error, that is the
// previous one.
func (l *Live) Reload() (*File, error) {
	f, err := LoadFile(l.path)
	if err != nil {
		return l.current.Load(), err
	}
	l.current.Store(f)
	return f, nil
}

// LookupKey implements middleware.KeyStore.
func (l *Live) LookupKey(ctx context.Context, digest string) (middleware.KeyRecord, bool, error) {
	return l.current.Load().LookupKey(ctx, digest)
}

// HasProviderKey serves middleware.Options.HasProviderKey.
func (l *Live) HasProviderKey(r *http.Request, p validate.Provider) (bool, error) {
	return l.current.Load().HasProviderKey(r, p)
}

// OrgOverdue serves middleware.Options.OrgOverdue.
func (l *Live) OrgOverdue(r *http.Request) (bool, error) {
	return l.current.Load().OrgOverdue(r)
}

// DefaultStartWithin serves middleware.Options.DefaultStartWithin.
func (l *Live) DefaultStartWithin(r *http.Request) (validate.StartWithin, bool) {
	return l.current.Load().DefaultStartWithin(r)
}
